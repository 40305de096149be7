import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

const COUNTY_PAGE = `query CountyPage($code: DivisionCode!) { county(code: $code) { code nameZh prefecture { nameZh } } }`;
/** Zhen'an, a poverty county of Shangluo (GB/T 2260). */
const ZHENAN = '611025';

/**
 * The sum of the samples of `name` whose labels include `labels`, in Prometheus text: 0 when
 * there is none.
 */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) total += Number(match[3]);
  }
  return total;
}

async function scrape(hub: TestHub, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${hub.origin}/metrics`, { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('metrics at /metrics', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it('counts one query by its name and outcome, observes its time, and counts its SQL statements', async () => {
    const before = await scrape(hub);
    const { result, statements } = await hub.countStatements(() => hub.query(COUNTY_PAGE, { code: ZHENAN }));
    expect(result.errors).toBeUndefined();
    expect(result.data?.county).toMatchObject({ code: ZHENAN, nameZh: '镇安县', prefecture: { nameZh: '商洛市' } });
    const after = await scrape(hub);

    const operation = { service: 'gateway', operation: 'CountyPage', outcome: 'OK' };
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('hub_graphql_operation_duration_seconds_count', operation)).toBe(1);
    expect(delta('hub_graphql_operation_duration_seconds_sum', operation)).toBeGreaterThan(0);
    // Its time falls in one bucket and every larger one: the 10 s bucket holds it.
    expect(delta('hub_graphql_operation_duration_seconds_bucket', { ...operation, le: '10' })).toBe(1);
    expect(delta('hub_http_request_duration_seconds_count', { route: 'graphql', status: '200' })).toBe(1);
    expect(delta('hub_subgraph_fetch_duration_seconds_count', { subgraph: 'shaanxi', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(statements.length).toBeGreaterThan(0);
    expect(delta('hub_sql_statements_total', {})).toBe(statements.length);
    if (hub.database.kind === 'postgres') {
      // Timed at the driver, pings and the cache's version reads too: at least the operation's.
      expect(delta('hub_sql_statement_duration_seconds_count', {})).toBeGreaterThanOrEqual(statements.length);
      expect(sample(after, 'hub_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    }
  });

  it('counts an error by its code', async () => {
    const before = await scrape(hub);
    const result = await hub.query(COUNTY_PAGE, { code: '110101' });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const after = await scrape(hub);
    const labels = { service: 'gateway', operation: 'CountyPage', outcome: 'NOT_FOUND' };
    expect(sample(after, 'hub_graphql_operation_duration_seconds_count', labels) - sample(before, 'hub_graphql_operation_duration_seconds_count', labels)).toBe(1);
  });

  it('counts at most 100 operation names and the rest as (other)', async () => {
    for (let i = 0; i < 110; i += 5) {
      await Promise.all(Array.from({ length: 5 }, (_, j) => hub.query(`query Name${i + j} { prefectures { code } }`)));
    }
    const text = await scrape(hub);
    const names = new Set([...text.matchAll(/hub_graphql_operation_duration_seconds_count\{service="gateway",operation="([^"]+)"/g)].map(([, name]) => name));
    expect(names.size).toBeLessThanOrEqual(101);
    expect(names.has('(other)')).toBe(true);
    expect(sample(text, 'hub_graphql_operation_duration_seconds_count', { service: 'gateway', operation: '(other)' })).toBeGreaterThan(0);
  });
});

describe('rate-limit refusals in /metrics', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { RATE_LIMIT_PER_ADDRESS: '5' });
  });
  afterAll(() => hub?.stop());

  it('counts the requests a rate limit refuses', async () => {
    const before = sample(await scrape(hub), 'hub_rate_limit_refusals_total', { scope: 'address' });
    let refused = 0;
    for (let i = 0; i < 10 && refused === 0; i += 1) {
      if ((await hub.query(`{ prefectures { code } }`)).status === 429) refused += 1;
    }
    expect(refused).toBe(1);
    expect(sample(await scrape(hub), 'hub_rate_limit_refusals_total', { scope: 'address' }) - before).toBe(1);
  });
});

describe('who may read /metrics', () => {
  const token = 'm'.repeat(40);
  let production: TestHub;
  let productionWithToken: TestHub;
  beforeAll(async () => {
    production = await startTestHub('all-in-one', { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) });
    productionWithToken = await startTestHub('all-in-one', { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await production?.stop();
    await productionWithToken?.stop();
  });

  it('serves nothing in production without METRICS_TOKEN', async () => {
    const response = await fetch(`${production.origin}/metrics`);
    expect(response.status).toBe(404);
    const body = (await response.text());
    expect(body).not.toMatch(/hub_|process_cpu/);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('serves them in production only with the bearer token', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, `Basic ${token}`]) {
      const response = await fetch(`${productionWithToken.origin}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toMatch(/hub_|process_cpu/);
    }
    expect(await scrape(productionWithToken, { authorization: `Bearer ${token}` })).toMatch(/^hub_http_request_duration_seconds_count/m);
  });

  it('refuses a METRICS_TOKEN shorter than 32 characters at start', async () => {
    await expect(startTestHub('all-in-one', { METRICS_TOKEN: 'short' })).rejects.toThrow(/METRICS_TOKEN must be at least 32 characters/);
  });
});
