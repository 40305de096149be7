import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@hub/db';
import { startTestHub, type TestHub } from '@hub/testkit';
import { PIPELINE_PAGE, PROJECT_LOOKUP, clientOperation } from '../bench/operations.ts';

/**
 * The response cache keeps an answer with the tables it was read from, as the database layer
 * finds them named in the operation's statements (docs/decisions/0029-response-cache.md). Here
 * Postgres says which tables each statement reads — its planner's plan, not the hub's reading
 * of the text — and a write to every one of them must make the kept answer a miss.
 *
 * Each fetch of the answer is kept too, with the tables its statements read (0041): after a
 * write to a table, every fetch of the answer that read it runs again.
 *
 * The plans are generic plans of the statements as sent ($1 and on unbound), which Postgres
 * makes from version 16: the embedded server and PGlite are 17; on an older server the test is
 * skipped.
 */

const SCHEMAS = ['shaanxi', 'jiangsu', 'pairing'];

describe('the response cache, with the tables Postgres reads', () => {
  let hub: TestHub;
  let genericPlans = false;
  const operations: [string, string, Record<string, unknown>][] = [];

  beforeAll(async () => {
    // The demo's pipeline: projects at every stage, with money in both provinces' books.
    hub = await startTestHub('all-in-one', { RESPONSE_CACHE: 'true', DEMO_DATA: 'true' });
    const [version] = await queryRows<{ server_version_num: string }>(hub.database.db, sql`show server_version_num`);
    genericPlans = Number(version!.server_version_num) >= 160_000;

    const choices = await hub.query<{
      agreements: { id: string }[];
      ceremonies: { id: string }[];
      jiangsuOrganizations: { id: string; givingProfile: { public: boolean } | null }[];
      pipeline: { nodes: { id: string }[] };
    }>(`{ agreements { id } ceremonies { id } jiangsuOrganizations { id givingProfile { public } } pipeline(first: 1) { nodes { id } } }`);
    expect(choices.errors).toBeUndefined();
    const { agreements, ceremonies, jiangsuOrganizations, pipeline } = choices.data!;
    const project = pipeline.nodes[0]!.id;
    operations.push(
      ['CountyPage', clientOperation('CountyPage'), { code: '611025' }],
      ['AgreementProgress', clientOperation('AgreementProgress'), {}],
      ['AgreementTracking', clientOperation('AgreementTracking'), { id: agreements[0]!.id }],
      ['CeremonyPackage', clientOperation('CeremonyPackage'), { ceremonyId: ceremonies[0]!.id }],
      ['FoundationIndustryProjects', clientOperation('FoundationIndustryProjects'), {}],
      ['FoundationMatches', clientOperation('FoundationMatches'), { id: jiangsuOrganizations.find((organization) => organization.givingProfile?.public)!.id }],
      ['MatchProjects', clientOperation('MatchProjects'), { criteria: { fields: ['EDUCATION'], pairedWithCityCode: '320100' } }],
      ['PipelineFunnel', clientOperation('PipelineFunnel'), {}],
      ['ProjectInterests', clientOperation('ProjectInterests'), { id: project }],
      ['PipelinePage', PIPELINE_PAGE, {}],
      ['ProjectLookup', PROJECT_LOOKUP, { id: project }],
    );
  });
  afterAll(() => hub?.stop());

  /** The subgraphs' tables a statement reads, by Postgres' generic plan of it. */
  async function tablesPlanned(statement: string): Promise<Set<string>> {
    const explain = `explain (generic_plan, verbose, format json) ${statement}`;
    // The statement's parameters stay unbound: PGlite binds none only in its simple protocol.
    const [row] =
      hub.database.kind === 'pglite'
        ? ((await (hub.database.db as unknown as { $client: PGlite }).$client.exec(explain))[0]!.rows as { 'QUERY PLAN': unknown }[])
        : await queryRows<{ 'QUERY PLAN': unknown }>(hub.database.db, sql.raw(explain));
    const tables = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      const plan = node as Record<string, unknown>;
      if (typeof plan['Relation Name'] === 'string' && SCHEMAS.includes(plan['Schema'] as string)) tables.add(`${plan['Schema']}.${plan['Relation Name']}`);
      Object.values(plan).forEach(visit);
    };
    visit(row!['QUERY PLAN']);
    return tables;
  }

  /** Sends `query`, and returns how many statements it cost. */
  async function statementsOf(query: string, variables: Record<string, unknown>): Promise<number> {
    const { result, statements } = await hub.countStatements(() => hub.query(query, variables));
    expect(result.errors).toBeUndefined();
    return statements.length;
  }

  it('makes a kept answer a miss after a write to any table its statements read', async (context) => {
    if (!genericPlans) context.skip('Postgres before 16 makes no generic plan of a statement with parameters');
    for (const [name, query, variables] of operations) {
      const { result, statements } = await hub.countStatements(() => hub.query(query, variables));
      expect(result.errors, name).toBeUndefined();
      const read = new Set<string>();
      for (const statement of statements) for (const table of await tablesPlanned(statement)) read.add(table);
      expect(read.size, `${name} reads some table`).toBeGreaterThan(0);

      // Asked a second time, the answer is kept; the third costs nothing.
      await statementsOf(query, variables);
      expect(await statementsOf(query, variables), `${name} is kept`).toBe(0);
      for (const table of read) {
        // What a committed write to every row of the table does to its version (and, for a
        // table versioned by key too, to each of its keys: the table changed as a whole), and
        // nothing else.
        await hub.database.db.execute(sql`
          with raised as (
            insert into hub_cache.table_versions (table_name, version) values (${table}, 1)
            on conflict (table_name) do update set version = table_versions.version + 1
            returning version
          )
          insert into hub_cache.key_changes (table_name, key, version) select ${table}, '', version from raised
          on conflict (table_name, key) do update set version = excluded.version`);
        // The answer's fetches that did not read the table may be given from the fetch cache
        // (0041); what did read it is read again.
        const again = await hub.countStatements(() => hub.query(query, variables));
        expect(again.result.errors, name).toBeUndefined();
        const readAgain = new Set<string>();
        for (const statement of again.statements) for (const each of await tablesPlanned(statement)) readAgain.add(each);
        expect(readAgain.has(table), `${name} reads ${table} again after a write to it`).toBe(true);
        expect(await statementsOf(query, variables), `${name} kept again`).toBe(0);
      }
    }
  });

  it("keeps a county page and the pipeline pages of other projects through a foundation's pledge, and makes the page that shows it a miss", async () => {
    // Two pages of the pipeline, and a project on the second that takes pledges.
    const pageOf = (after: string | null) =>
      hub.query<{ pipeline: { pageInfo: { endCursor: string }; nodes: { id: string; stage: string; county: { code: string } }[] } }>(
        `query ($after: String) { pipeline(first: 50, after: $after) { pageInfo { endCursor } nodes { id stage county { code } } } }`,
        { after },
      );
    const first = await pageOf(null);
    expect(first.errors).toBeUndefined();
    const second = await pageOf(first.data!.pipeline.pageInfo.endCursor);
    expect(second.errors).toBeUndefined();
    const project = second.data!.pipeline.nodes.find((node) => ['PUBLISHED', 'MATCHED', 'SCHEDULED'].includes(node.stage))!;
    expect(project, 'a project on the second page takes pledges').toBeDefined();
    expect(first.data!.pipeline.nodes.map((node) => node.id)).not.toContain(project.id);

    const countyPage: [string, Record<string, unknown>] = [clientOperation('CountyPage'), { code: project.county.code }];
    const firstPage: [string, Record<string, unknown>] = [PIPELINE_PAGE, {}];
    const secondPage: [string, Record<string, unknown>] = [PIPELINE_PAGE, { after: first.data!.pipeline.pageInfo.endCursor }];
    for (const [query, variables] of [countyPage, firstPage, secondPage]) {
      await statementsOf(query, variables);
      await statementsOf(query, variables);
      expect(await statementsOf(query, variables)).toBe(0);
    }

    const member = await hub.token('FOUNDATION_MEMBER', 'js-demo-taihu-health');
    const pledge = await hub.query(
      `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
      { input: { projectId: project.id, organizationId: 'js-demo-taihu-health', amount: { fen: 1 }, idempotencyKey: 'cache-reads-pledge-1' } },
      { token: member },
    );
    expect(pledge.errors).toBeUndefined();

    expect(await statementsOf(...countyPage), 'the county page shows no money: kept').toBe(0);
    expect(await statementsOf(...firstPage), "the page of other projects: none of its projects' books was written, kept").toBe(0);
    expect(await statementsOf(...secondPage), 'the page that shows what was pledged: a miss').toBeGreaterThan(0);
  });
});
