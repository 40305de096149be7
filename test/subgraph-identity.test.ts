import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Identity } from '@hub/common';
import { queryRows } from '@hub/db';
import { signIdentity } from '@hub/server';
import { startTestHub, type TestHub } from '@hub/testkit';

/**
 * In the distributed topology a subgraph runs a request only with an identity token made for
 * it, for that very body, recently, and only once: a captured request cannot be run again,
 * sent to another subgraph, or given another body.
 */
const JIANGSU_OFFICE: Identity = { role: 'JIANGSU_OFFICE', subject: 'jiangsu-office-1', organizationId: null };

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub('distributed');
});

afterAll(async () => {
  await hub?.stop();
});

/** A request exactly as the gateway would send it to `subgraph`, with its headers made at `now`. */
async function signedRequest(options: { audience: string; body: string; now?: Date }) {
  const headers = await signIdentity(JIANGSU_OFFICE, {
    secret: hub.config.internalSecret,
    audience: options.audience,
    body: options.body,
    now: options.now,
  });
  return { headers: { 'content-type': 'application/json', ...headers }, body: options.body };
}

async function send(subgraph: 'shaanxi' | 'jiangsu' | 'pairing', request: { headers: Record<string, string>; body: string }) {
  const response = await fetch(hub.subgraphUrls[subgraph]!, { method: 'POST', headers: request.headers, body: request.body });
  const payload = (await response.json()) as { data?: any; errors?: { extensions?: Record<string, unknown> }[] };
  return { status: response.status, data: payload.data, reason: payload.errors?.[0]?.extensions?.reason };
}

const countiesQuery = JSON.stringify({ query: '{ counties(first: 1) { totalCount } }' });
const citiesQuery = JSON.stringify({ query: '{ jiangsuCities { code } }' });

function createOrganization(nameZh: string): string {
  return JSON.stringify({
    query: 'mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id } }',
    variables: { input: { nameZh, kind: 'FOUNDATION', cityCode: '320400' } },
  });
}

async function organizationsNamed(nameZh: string): Promise<number> {
  const rows = await queryRows<{ total: number }>(
    hub.database.db,
    sql`select count(*)::int as total from jiangsu.organization where name_zh = ${nameZh}`,
  );
  return Number(rows[0]!.total);
}

describe('calls between subgraphs', () => {
  it('publish a need across HTTP: the pairing asks Shaanxi under its own signed service identity', async () => {
    const office = await hub.token('SHAANXI_OFFICE');
    const raised = await hub.query(
      'mutation { raiseProjectNeed(input: { countyCode: "610924", titleZh: "跨服务发布测试", field: MEDICAL_AID }) { id } }',
      {},
      { token: office },
    );
    const id = raised.data!.raiseProjectNeed.id as string;
    expect((await hub.query('query ($id: ID!) { project(id: $id) { id } }', { id })).data?.project ?? null).toBeNull();
    const moved = await hub.query(
      'mutation ($id: ID!) { moveProject(input: { projectId: $id, to: PUBLISHED, expectedVersion: 0 }) { stage } }',
      { id },
      { token: office },
    );
    expect(moved.errors).toBeUndefined();
    expect((await hub.query('query ($id: ID!) { project(id: $id) { id stage } }', { id })).data?.project).toEqual({ id, stage: 'PUBLISHED' });
  });

  it('let only the pairing service mark a need published, not an office that reaches Shaanxi directly', async () => {
    const office = await hub.token('SHAANXI_OFFICE');
    const raised = await hub.query(
      'mutation { raiseProjectNeed(input: { countyCode: "610924", titleZh: "绕过流程测试", field: MEDICAL_AID }) { id } }',
      {},
      { token: office },
    );
    const id = raised.data!.raiseProjectNeed.id as string;
    const body = JSON.stringify({ query: 'mutation ($id: ID!) { markProjectNeedPublished(id: $id) { id } }', variables: { id } });
    const headers = await signIdentity(
      { role: 'SHAANXI_OFFICE', subject: 'shaanxi-office-1', organizationId: null },
      { secret: hub.config.internalSecret, audience: 'shaanxi', body },
    );
    const response = await fetch(hub.subgraphUrls.shaanxi!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const payload = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(payload.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await hub.query('query ($id: ID!) { project(id: $id) { id } }', { id })).data?.project ?? null).toBeNull();
  });
});

describe('the identity the gateway forwards to a subgraph', () => {
  it('lets the gateway reach every subgraph, a signed-in caller included', async () => {
    const token = await hub.token('JIANGSU_OFFICE');
    const result = await hub.query(
      'mutation { createJiangsuOrganization(input: { nameZh: "网关转发测试基金会", kind: FOUNDATION, cityCode: "320400" }) { id } }',
      {},
      { token },
    );
    expect(result.errors).toBeUndefined();
    const read = await hub.query('{ counties(first: 1) { totalCount } agreements { titleZh } jiangsuCities { code } }');
    expect(read.errors).toBeUndefined();
    expect(read.data?.counties.totalCount).toBeGreaterThan(0);
  });

  it('runs a request signed for this subgraph and this body', async () => {
    const result = await send('shaanxi', await signedRequest({ audience: 'shaanxi', body: countiesQuery }));
    expect(result.status).toBe(200);
    expect(result.data.counties.totalCount).toBeGreaterThan(0);
  });

  it('runs a captured mutation once: the same headers and body again are refused and write nothing', async () => {
    const nameZh = '重放测试基金会';
    const captured = await signedRequest({ audience: 'jiangsu', body: createOrganization(nameZh) });
    expect((await send('jiangsu', captured)).status).toBe(200);
    expect(await send('jiangsu', captured)).toMatchObject({ status: 401, reason: 'IDENTITY_REPLAYED' });
    expect(await organizationsNamed(nameZh)).toBe(1);
  });

  it('refuses headers made for one subgraph at another', async () => {
    const forJiangsu = await signedRequest({ audience: 'jiangsu', body: countiesQuery });
    expect(await send('shaanxi', forJiangsu)).toMatchObject({ status: 401, reason: 'IDENTITY_WRONG_AUDIENCE' });
    const forPairing = await signedRequest({ audience: 'pairing', body: citiesQuery });
    expect(await send('jiangsu', forPairing)).toMatchObject({ status: 401, reason: 'IDENTITY_WRONG_AUDIENCE' });
  });

  it('refuses the headers of one request with another body, and writes nothing', async () => {
    const nameZh = '换体测试基金会';
    const captured = await signedRequest({ audience: 'jiangsu', body: citiesQuery });
    const swapped = { headers: captured.headers, body: createOrganization(nameZh) };
    expect(await send('jiangsu', swapped)).toMatchObject({ status: 401, reason: 'IDENTITY_BODY_MISMATCH' });
    expect(await organizationsNamed(nameZh)).toBe(0);
    // The same headers with the body they were made for still run: the body was the fault.
    expect((await send('jiangsu', captured)).status).toBe(200);
  });

  it('refuses a token issued 60 s in the future', async () => {
    const future = await signedRequest({ audience: 'shaanxi', body: countiesQuery, now: new Date(Date.now() + 60_000) });
    expect(await send('shaanxi', future)).toMatchObject({ status: 401, reason: 'IDENTITY_ISSUED_IN_FUTURE' });
  });

  it('accepts a sender whose clock runs a second or two ahead', async () => {
    const ahead = await signedRequest({ audience: 'shaanxi', body: countiesQuery, now: new Date(Date.now() + 2_000) });
    expect((await send('shaanxi', ahead)).status).toBe(200);
  });

  it('refuses a token older than its lifetime', async () => {
    const old = await signedRequest({ audience: 'shaanxi', body: countiesQuery, now: new Date(Date.now() - 45_000) });
    expect(await send('shaanxi', old)).toMatchObject({ status: 401, reason: 'IDENTITY_EXPIRED' });
  });

  it('refuses a request without a token, and a GET whose operation the token cannot cover', async () => {
    expect(await send('pairing', { headers: { 'content-type': 'application/json' }, body: countiesQuery })).toMatchObject({
      status: 401,
      reason: 'IDENTITY_MISSING',
    });
    const signed = await signedRequest({ audience: 'shaanxi', body: '' });
    const url = `${hub.subgraphUrls.shaanxi}?query=${encodeURIComponent('{ counties(first: 1) { totalCount } }')}`;
    const response = await fetch(url, { headers: { ...signed.headers, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
    // Refused as a GET, before the token is read: no data, and the methods it does take named.
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['METHOD_NOT_ALLOWED']);
  });
});
