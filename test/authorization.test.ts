import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { startTestHub, type TestHub } from '@hub/testkit';
import { raceAtRow } from './support/row-barrier.ts';

/**
 * Each mutation is tried by every role: the roles DESIGN.md allows succeed, every other is
 * refused with a stable code and writes nothing.
 */
type Caller = 'public' | 'shaanxiOffice' | 'jiangsuOffice' | 'jiangsuMember' | 'shaanxiMember';
const CALLERS: Caller[] = ['public', 'shaanxiOffice', 'jiangsuOffice', 'jiangsuMember', 'shaanxiMember'];

const JIANGSU_MEMBER_OF = 'js-ruihua-charity-foundation';
const SHAANXI_MEMBER_OF = 'sn-women-children-development-foundation';
const NEED_ID = '6f2d1c3e-2b1a-4d5e-9f00-000000000001';

interface Case {
  name: string;
  allowed: Caller[];
  /** The operation and its variables, given the record's current version. */
  operation(version: number): { document: string; variables: Record<string, unknown> };
  /** The current edit version of the record the mutation changes (0 for creations). */
  version(hub: TestHub): Promise<number>;
  /** The field the mutation answers the record's new edit version in. */
  versionField: 'version' | 'needVersion';
}

const organizationVersion = (province: 'shaanxi' | 'jiangsu', id: string) => async (hub: TestHub) => {
  const [row] = await queryRows<{ version: number }>(
    hub.database.db,
    sql`select version from ${sql.raw(`${province}.organization`)} where id = ${id}`,
  );
  return Number(row!.version);
};

const CASES: Case[] = [
  {
    name: 'createShaanxiOrganization',
    allowed: ['shaanxiOffice'],
    version: async () => 0,
    versionField: 'version',
    operation: () => ({
      document: `mutation ($input: CreateShaanxiOrganizationInput!) { createShaanxiOrganization(input: $input) { id nameZh kind version } }`,
      variables: { input: { nameZh: '测试社会服务中心', kind: 'SOCIAL_SERVICE_INSTITUTION', homeCountyCode: '610927' } },
    }),
  },
  {
    name: 'updateShaanxiOrganization',
    allowed: ['shaanxiOffice'],
    version: organizationVersion('shaanxi', 'sn-zhenping-volunteer-association'),
    versionField: 'version',
    operation: (version) => ({
      document: `mutation ($v: Int!) { updateShaanxiOrganization(id: "sn-zhenping-volunteer-association", expectedVersion: $v, input: { nameEn: "Zhenping Volunteers" }) { id version } }`,
      variables: { v: version },
    }),
  },
  {
    name: 'updateShaanxiOrganizationProfile',
    allowed: ['shaanxiMember'],
    version: organizationVersion('shaanxi', SHAANXI_MEMBER_OF),
    versionField: 'version',
    operation: (version) => ({
      document: `mutation ($v: Int!) { updateShaanxiOrganizationProfile(id: "${SHAANXI_MEMBER_OF}", expectedVersion: $v, input: { website: "https://example.org/" }) { id website version } }`,
      variables: { v: version },
    }),
  },
  {
    name: 'raiseProjectNeed',
    allowed: ['shaanxiOffice'],
    version: async () => 0,
    versionField: 'needVersion',
    operation: () => ({
      document: `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id titleZh amountSought { fen } county { code } needVersion } }`,
      variables: {
        input: { countyCode: '610924', titleZh: '茶园技术培训', field: 'TECHNOLOGY_AND_CULTURE', amountSought: { fen: 12_000_000 } },
      },
    }),
  },
  {
    name: 'updateProjectNeed',
    allowed: ['shaanxiOffice'],
    version: async (hub) => {
      const [row] = await queryRows<{ version: number }>(hub.database.db, sql`select version from shaanxi.project_need where id = ${NEED_ID}`);
      return Number(row!.version);
    },
    versionField: 'needVersion',
    operation: (version) => ({
      document: `mutation ($v: Int!) { updateProjectNeed(id: "${NEED_ID}", expectedVersion: $v, input: { beneficiaryCount: 120 }) { id needVersion beneficiaryCount } }`,
      variables: { v: version },
    }),
  },
  {
    name: 'createJiangsuOrganization',
    allowed: ['jiangsuOffice'],
    version: async () => 0,
    versionField: 'version',
    operation: () => ({
      document: `mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id nameZh city { nameZh } version } }`,
      variables: { input: { nameZh: '测试慈善基金会', kind: 'FOUNDATION', cityCode: '320400' } },
    }),
  },
  {
    name: 'updateJiangsuOrganization',
    allowed: ['jiangsuOffice'],
    version: organizationVersion('jiangsu', 'js-tongtai-charity-foundation'),
    versionField: 'version',
    operation: (version) => ({
      document: `mutation ($v: Int!) { updateJiangsuOrganization(id: "js-tongtai-charity-foundation", expectedVersion: $v, input: { cityCode: "320100" }) { id version } }`,
      variables: { v: version },
    }),
  },
  {
    name: 'updateJiangsuOrganizationProfile',
    allowed: ['jiangsuMember'],
    version: organizationVersion('jiangsu', JIANGSU_MEMBER_OF),
    versionField: 'version',
    operation: (version) => ({
      document: `mutation ($v: Int!) { updateJiangsuOrganizationProfile(id: "${JIANGSU_MEMBER_OF}", expectedVersion: $v, input: { description: "资助陕西教育与产业项目" }) { id description version } }`,
      variables: { v: version },
    }),
  },
];

/** Row counts and a checksum of every table the mutations touch. */
async function snapshot(hub: TestHub) {
  return queryRows(
    hub.database.db,
    sql`select
      (select md5(coalesce(string_agg(o::text, '|' order by o.id), '')) from shaanxi.organization o) as shaanxi_organizations,
      (select md5(coalesce(string_agg(p::text, '|' order by p.id), '')) from shaanxi.project_need p) as needs,
      (select md5(coalesce(string_agg(o::text, '|' order by o.id), '')) from jiangsu.organization o) as jiangsu_organizations`,
  );
}

describe('who may change what', () => {
  let hub: TestHub;
  const tokens = {} as Record<Caller, string | undefined>;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    tokens.public = undefined;
    tokens.shaanxiOffice = await hub.token('SHAANXI_OFFICE');
    tokens.jiangsuOffice = await hub.token('JIANGSU_OFFICE');
    tokens.jiangsuMember = await hub.token('FOUNDATION_MEMBER', JIANGSU_MEMBER_OF);
    tokens.shaanxiMember = await hub.token('FOUNDATION_MEMBER', SHAANXI_MEMBER_OF);
  });
  afterAll(() => hub?.stop());

  const matrix = CASES.flatMap((c) => CALLERS.map((caller) => [c.name, caller, c] as const));

  it.each(matrix)('%s by %s', async (name, caller, testCase) => {
    const version = await testCase.version(hub);
    const { document, variables } = testCase.operation(version);
    const before = await snapshot(hub);
    const result = await hub.query(document, variables, { token: tokens[caller] });
    if (testCase.allowed.includes(caller)) {
      expect(result.errors).toBeUndefined();
      expect(result.data![name]).toBeTruthy();
      // A new record starts at version 1; an edit moves it one on.
      expect(result.data![name][testCase.versionField]).toBe(version + 1);
      expect(await snapshot(hub)).not.toEqual(before);
    } else {
      expect(result.data).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe(caller === 'public' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      expect(await snapshot(hub)).toEqual(before);
    }
  });

  it('refuses an edit made from an old version with VERSION_CONFLICT, keeping the first edit', async () => {
    const version = await organizationVersion('shaanxi', 'sn-social-work-association')(hub);
    const edit = (nameEn: string) =>
      hub.query(
        `mutation ($v: Int!, $name: String) { updateShaanxiOrganization(id: "sn-social-work-association", expectedVersion: $v, input: { nameEn: $name }) { nameEn version } }`,
        { v: version, name: nameEn },
        { token: tokens.shaanxiOffice },
      );
    // On a Postgres server both edits are held at the row until both wait to write it (see
    // raceAtRow); on PGlite they run in turn. Either way only the write's version condition
    // can refuse the second.
    const both = () => Promise.all([edit('First'), edit('Second')]);
    const [first, second] =
      hub.database.kind === 'postgres'
        ? await raceAtRow(hub, { table: 'shaanxi.organization', where: sql`id = 'sn-social-work-association'` }, 2, both)
        : await both();
    const outcomes = [first, second].map((r) => (r.errors ? r.errors[0]!.extensions!.code : 'ok')).sort();
    expect(outcomes).toEqual(['VERSION_CONFLICT', 'ok']);
    const winner = first.errors ? second : first;
    const check = await hub.query(`{ shaanxiOrganization(id: "sn-social-work-association") { nameEn version } }`);
    expect(check.data!.shaanxiOrganization).toEqual(winner.data!.updateShaanxiOrganization);
    expect(check.data!.shaanxiOrganization.version).toBe(version + 1);
  });

  it('refuses bad input in a permitted mutation, naming the field, and writes nothing', async () => {
    const before = await snapshot(hub);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ countyCode: '610924', titleZh: 'a\u0000b', field: 'EDUCATION' }, /input\.titleZh/],
      [{ countyCode: '610924', titleZh: '一'.repeat(201), field: 'EDUCATION' }, /input\.titleZh is 201 characters/],
      [{ countyCode: '610924', titleZh: '项目', field: 'EDUCATION', amountSought: { fen: -1 } }, /input\.amountSought\.fen/],
      [{ countyCode: '610999', titleZh: '项目', field: 'EDUCATION' }, /input\.countyCode: no Shaanxi county/],
      [{ countyCode: '610924', titleZh: '项目', field: 'EDUCATION', raisedByOrganizationId: 'sn-nobody' }, /sn-nobody/],
    ];
    for (const [input, message] of cases) {
      const result = await hub.query(
        `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
        { input },
        { token: tokens.shaanxiOffice },
      );
      expect(result.errors?.[0]?.message).toMatch(message);
      expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(result.errors?.[0]?.extensions?.code);
    }
    const duplicate = await hub.query(
      `mutation { a: createJiangsuOrganization(input: { nameZh: "甲", kind: FOUNDATION, unifiedSocialCreditCode: "91350100M000100Y43" }) { id } }`,
      {},
      { token: tokens.jiangsuOffice },
    );
    expect(duplicate.errors).toBeUndefined();
    const afterFirst = await snapshot(hub);
    const again = await hub.query(
      `mutation { createJiangsuOrganization(input: { nameZh: "乙", kind: FOUNDATION, unifiedSocialCreditCode: "91350100M000100Y43" }) { id } }`,
      {},
      { token: tokens.jiangsuOffice },
    );
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'ALREADY_EXISTS', field: 'input.unifiedSocialCreditCode' });
    expect(await snapshot(hub)).toEqual(afterFirst);
    expect((before as object[])[0]).toMatchObject({ needs: (afterFirst as any[])[0].needs });
  });
});

describe('tokens', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  const ask = (token: string) => hub.query(`{ prefectures { code } }`, {}, { token });

  it('accepts a valid token for reading', async () => {
    const result = await ask(await hub.token('JIANGSU_OFFICE'));
    expect(result.status).toBe(200);
    expect(result.data!.prefectures).toHaveLength(10);
  });

  it('refuses an expired token with 401 TOKEN_EXPIRED', async () => {
    const result = await ask(await hub.token('SHAANXI_OFFICE', undefined, { expiresIn: Math.floor(Date.now() / 1000) - 120 }));
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toBe('Bearer');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const [header, payload, signature] = (await hub.token('FOUNDATION_MEMBER', 'js-ruihua-charity-foundation')).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'JIANGSU_OFFICE' })).toString('base64url');
    const result = await ask(`${header}.${forged}.${signature}`);
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it('refuses a token signed with another key, one for another audience, and a malformed header', async () => {
    const { mintToken } = await import('@hub/gateway');
    const base = { issuer: hub.config.auth.issuer, audience: hub.config.auth.audience, role: 'SHAANXI_OFFICE' as const, subject: 'x' };
    const otherKey = await mintToken({ ...base, secret: 'another-secret-that-is-long-enough-to-use' });
    expect((await ask(otherKey)).errors?.[0]?.extensions?.reason).toBe('TOKEN_INVALID');
    const key = hub.config.auth.key as { secret: string };
    const otherAudience = await mintToken({ ...base, secret: key.secret, audience: 'someone-else' });
    expect((await ask(otherAudience)).errors?.[0]?.extensions).toMatchObject({ reason: 'TOKEN_CLAIM_INVALID' });
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      body: JSON.stringify({ query: '{ prefectures { code } }' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { reason: 'MALFORMED_AUTHORIZATION' } }] });
  });
});

describe('subgraphs behind the gateway (distributed)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('distributed');
  });
  afterAll(() => hub?.stop());

  it('carries the caller identity to the subgraph that owns the data', async () => {
    const token = await hub.token('JIANGSU_OFFICE');
    const result = await hub.query(
      `mutation { createJiangsuOrganization(input: { nameZh: "分布式测试基金会", kind: FOUNDATION }) { id province } }`,
      {},
      { token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createJiangsuOrganization.province).toBe('JIANGSU');
    const denied = await hub.query(`mutation { createJiangsuOrganization(input: { nameZh: "不可", kind: FOUNDATION }) { id } }`);
    expect(denied.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a direct call to a subgraph without the gateway signature, but answers its health check', async () => {
    for (const url of Object.values(hub.subgraphUrls)) {
      const response = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-identity': 'e30', 'x-hub-signature': '00'.repeat(32) },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
      const bare = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      expect(bare.status).toBe(401);
      expect((await fetch(new URL('/health', url!))).status).toBe(200);
    }
  });
});
