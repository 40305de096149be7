import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '@hub/gateway';
import { createLogger } from '@hub/server';
import { startTestHub, type TestHub } from '@hub/testkit';
import { download } from './support/exports.ts';

/**
 * The gateway's response cache (docs/decisions/0029-response-cache.md): a query asked again is
 * answered without a statement while nothing was written, and never with an answer older than
 * the last write committed before it was asked — whoever wrote, through whichever replica — nor
 * with an answer made for another caller.
 */
const ORGANIZATIONS = /* GraphQL */ `
  query CachedOrganizations { jiangsuOrganizations { id nameZh } }
`;

const PROFILE = /* GraphQL */ `
  query CachedProfile($id: ID!) { jiangsuOrganization(id: $id) { id givingProfile { fields public } } }
`;

const CREATE = /* GraphQL */ `
  mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id } }
`;

describe('the response cache, all-in-one', () => {
  let hub: TestHub;
  let office: string;
  let made = 0;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { RESPONSE_CACHE: 'true' });
    office = await hub.token('JIANGSU_OFFICE');
  });
  afterAll(() => hub?.stop());

  async function createOrganization(through: string = hub.url): Promise<string> {
    made += 1;
    const response = await fetch(through, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${office}` },
      body: JSON.stringify({ query: CREATE, variables: { input: { nameZh: `缓存测试基金会 ${made}`, kind: 'FOUNDATION' } } }),
    });
    const result = (await response.json()) as { data: { createJiangsuOrganization: { id: string } } | null; errors?: unknown };
    expect(result.errors).toBeUndefined();
    return result.data!.createJiangsuOrganization.id;
  }

  async function organizationNames(through: string = hub.url): Promise<string[]> {
    const response = await fetch(through, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: ORGANIZATIONS }) });
    const result = (await response.json()) as { data: { jiangsuOrganizations: { nameZh: string }[] } };
    return result.data.jiangsuOrganizations.map((organization) => organization.nameZh);
  }

  /**
   * Asks until the answer is kept — the second asking keeps it — and proves it: the third
   * costs no statement. What a test then sees after a write is the cache's doing, not a miss.
   */
  async function keptNames(through: string = hub.url): Promise<string[]> {
    await organizationNames(through);
    await organizationNames(through);
    const kept = await hub.countStatements(() => organizationNames(through));
    expect(kept.statements).toEqual([]);
    return kept.result;
  }

  it('answers a query asked again with no statement, until a write commits', async () => {
    const first = await hub.countStatements(() => organizationNames());
    expect(first.statements.length).toBeGreaterThan(0);
    expect(await keptNames()).toEqual(first.result);

    await createOrganization();
    const after = await hub.countStatements(() => organizationNames());
    expect(after.statements.length).toBeGreaterThan(0);
    expect(after.result).toContain(`缓存测试基金会 ${made}`);
  });

  it('leaves downloads out: their pages, read again, are neither answered from it nor kept in it', async () => {
    const office = await hub.token('SHAANXI_OFFICE');
    const sizes: number[] = [];
    for (let time = 0; time < 3; time += 1) {
      const { result, statements } = await hub.countStatements(() => download(hub, '/exports/pipeline.csv', office));
      expect(result.status).toBe(200);
      sizes.push(statements.length);
    }
    // Asked a second time, a query's answer is kept, and the third time it costs no statement
    // but the data version's: a download's reads cost the same each time.
    expect(sizes[0]).toBeGreaterThan(0);
    expect(sizes).toEqual([sizes[0], sizes[0], sizes[0]]);
  });

  it('sees a write made outside the graph, straight in the database, at once', async () => {
    const id = await createOrganization();
    expect(await keptNames()).toContain(`缓存测试基金会 ${made}`);
    await hub.database.db.execute(sql`update jiangsu.organization set name_zh = '改名的基金会' where id = ${id}`);
    expect(await organizationNames()).toContain('改名的基金会');
  });

  it('keeps an answer through writes to tables it was not read from, and not through one to a table it was', async () => {
    const kept = await keptNames();

    // A Shaanxi organization, through the graph: a write to Shaanxi's tables only.
    const shaanxiOffice = await hub.token('SHAANXI_OFFICE');
    const created = await hub.query(
      `mutation ($input: CreateShaanxiOrganizationInput!) { createShaanxiOrganization(input: $input) { id } }`,
      { input: { nameZh: '缓存测试协会', kind: 'ASSOCIATION', homeCountyCode: '611025' } },
      { token: shaanxiOffice },
    );
    expect(created.errors).toBeUndefined();
    const afterShaanxi = await hub.countStatements(() => organizationNames());
    expect(afterShaanxi.statements, 'a write to Shaanxi leaves the Jiangsu organizations kept').toEqual([]);
    expect(afterShaanxi.result).toEqual(kept);

    // The same table's row written with its own value changes no answer, but it is a write to it.
    await hub.database.db.execute(sql`update jiangsu.organization set name_zh = name_zh where id = (select min(id) from jiangsu.organization)`);
    const afterJiangsu = await hub.countStatements(() => organizationNames());
    expect(afterJiangsu.statements.length, 'a write to jiangsu.organization makes it a miss').toBeGreaterThan(0);
    expect(afterJiangsu.result).toEqual(kept);
  });

  it('never gives one caller the answer made for another', async () => {
    const id = await createOrganization();
    const member = await hub.token('FOUNDATION_MEMBER', id);
    const set = await hub.query(
      `mutation ($input: GivingProfileInput!) { setGivingProfile(input: $input) { version } }`,
      { input: { organizationId: id, expectedVersion: 0, fields: ['EDUCATION'], public: false } },
      { token: member },
    );
    expect(set.errors).toBeUndefined();
    // The member reads its private profile first, so that an answer is kept for it (the second asking keeps it).
    for (let round = 0; round < 3; round++) {
      const own = await hub.query(PROFILE, { id }, { token: member });
      expect(own.data!.jiangsuOrganization.givingProfile).toEqual({ fields: ['EDUCATION'], public: false });
    }
    const anonymous = await hub.query(PROFILE, { id });
    expect(anonymous.data!.jiangsuOrganization).toEqual({ id, givingProfile: null });
    const otherMember = await hub.query(PROFILE, { id }, { token: await hub.token('FOUNDATION_MEMBER', 'js-ruihua-charity-foundation') });
    expect(otherMember.data!.jiangsuOrganization.givingProfile).toBeNull();
  });

  describe('with a second gateway replica on the same database', () => {
    let replica: Hub;

    beforeAll(async () => {
      // The same configuration (port 0: a port of its own), its own cache.
      replica = await startHub(hub.config, {
        databases: { shaanxi: hub.database, jiangsu: hub.database, pairing: hub.database },
        logger: createLogger({ level: 'warn' }),
      });
    });
    afterAll(() => replica?.stop());

    it('answers through one replica what was written through the other, at once', async () => {
      // Each replica keeps its answer first.
      const before = await keptNames(replica.url);
      expect(await keptNames()).toEqual(before);

      await createOrganization(hub.url);
      const written = `缓存测试基金会 ${made}`;
      expect(before).not.toContain(written);
      expect(await organizationNames(replica.url)).toContain(written);

      await createOrganization(replica.url);
      expect(await organizationNames(hub.url)).toContain(`缓存测试基金会 ${made}`);
    });
  });
});
