import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type GraphQLResult, type TestHub } from '@hub/testkit';
import { asc, inArray } from 'drizzle-orm';
import { counties as jiangsuCounties, countyPairs } from '../subgraphs/jiangsu/src/db/schema.ts';
import { stageEvents } from '../subgraphs/pairing/src/db/schema.ts';
import { createLoaders as createShaanxiLoaders } from '../subgraphs/shaanxi/src/loaders.ts';
import { FundsStore } from '../subgraphs/shaanxi/src/store/funds-store.ts';
import { ShaanxiStore } from '../subgraphs/shaanxi/src/store/shaanxi-store.ts';
import { organizationAndNeedInEveryCounty } from './support/county-rows.ts';

/**
 * Every list-to-parent lookup and every entity reference goes through a per-request
 * DataLoader, so the SQL an operation sends does not grow with the page size.
 */
const COUNTIES_WITH_EVERYTHING = /* GraphQL */ `
  query Counties($first: Int!) {
    counties(first: $first) {
      totalCount
      nodes {
        code
        prefecture { code nameZh pairedJiangsuCity { nameZh } }
        pairedJiangsuCity { code }
        jiangsuCountyPartners { jiangsuCountyNameZh }
        organizations { id nameZh homeCounty { code } }
        projects { id titleZh raisedBy { id } ceremony { id } }
        signingCeremonies { id }
      }
    }
  }
`;

/** Every money field of the funnel: Shaanxi's and Jiangsu's books, summed per stage. */
const FUNNEL_WITH_MONEY = /* GraphQL */ `
  query Funnel($filter: PipelineFilter) {
    funnel(filter: $filter) {
      stage
      projectCount
      amountSought { fen yuan }
      pledged { fen yuan }
      committed { fen yuan }
      disbursed { fen yuan }
      received { fen yuan }
      spent { fen yuan }
    }
  }
`;

/** Counties filtered by kind of record, with every list a county page shows, filtered the same way. */
const PUBLIC_COUNTIES = /* GraphQL */ `
  query PublicCounties($first: Int!) {
    counties(filter: { provenance: [PUBLIC_RECORD] }, first: $first) {
      nodes {
        code
        organizations(provenance: [PUBLIC_RECORD]) { id }
        projects(provenance: [PUBLIC_RECORD]) { id }
        jiangsuCountyPartners { jiangsuCounty { code city { code } } }
        signingCeremonies(provenance: [PUBLIC_RECORD]) { id }
      }
    }
  }
`;

describe('statements per operation', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // The demo pipeline puts projects, with money in every state, at every stage of the funnel.
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    // Give every county an organization and a project, so each level has rows to batch.
    const db = hub.database.db;
    const allCounties = await organizationAndNeedInEveryCounty(db, { idPrefix: 'test-org', label: '测试', provenanceKind: 'SYNTHETIC_DEMO' });
    // And a Jiangsu partner division, taken in turn from every city, so that the pairs, their
    // divisions and the divisions' cities have rows to batch on every page too.
    const partners = await db.select({ code: jiangsuCounties.code, cityCode: jiangsuCounties.cityCode }).from(jiangsuCounties);
    await db.insert(countyPairs).values(
      allCounties.map((code, index) => {
        const partner = partners[index % partners.length]!;
        return {
          jiangsuCityCode: partner.cityCode,
          jiangsuCountyNameZh: `测试结对 ${code}`,
          jiangsuCountyCode: partner.code,
          shaanxiCountyCode: code,
          provenanceKind: 'SYNTHETIC_DEMO' as const,
        };
      }),
    );
  });
  afterAll(() => hub?.stop());

  async function statementsFor(first: number) {
    const { result, statements } = await hub.countStatements(() => hub.query(COUNTIES_WITH_EVERYTHING, { first }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.counties.nodes).toHaveLength(first);
    for (const county of result.data!.counties.nodes) {
      expect(county.organizations.length).toBeGreaterThan(0);
      expect(county.projects.length).toBeGreaterThan(0);
    }
    return statements;
  }

  it('costs the same number of statements for 5 and for 50 counties with their organizations and projects', async () => {
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(fifty.length).toBe(five.length);
    // One statement per batched level, not one per county: far fewer than the counties fetched.
    expect(fifty.length).toBeLessThan(20);
  });

  it('resolves county references from another subgraph in one batched statement', async () => {
    const { result, statements } = await hub.countStatements(() =>
      hub.query(`{ ceremony(id: "2017-12-28-xian") { signatoryCounties { nameZh organizations { id } } } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.ceremony.signatoryCounties).toHaveLength(4);
    const countyLookups = statements.filter((s) => /from "shaanxi"\."county"/.test(s));
    expect(countyLookups).toHaveLength(1);
  });

  it('sums every money field of the funnel in one statement per book, for one prefecture or the whole pipeline', async () => {
    const measure = async (filter: Record<string, unknown> | null) => {
      const { result, statements } = await hub.countStatements(() => hub.query(FUNNEL_WITH_MONEY, { filter }));
      expect(result.errors).toBeUndefined();
      const projects = result.data!.funnel.reduce((sum: number, stage: { projectCount: number }) => sum + stage.projectCount, 0);
      return { projects, statements };
    };
    // 安康 has one demo project at every stage; the whole demo pipeline has 80.
    const ankang = await measure({ prefectureCode: '610900' });
    const all = await measure(null);
    expect(ankang.projects).toBeGreaterThanOrEqual(9);
    expect(all.projects).toBeGreaterThanOrEqual(50);
    expect(all.statements.length).toBe(ankang.statements.length);
    // The nine stages' sums come from each book at once, not stage by stage.
    const reading = (table: RegExp) => all.statements.filter((statement) => table.test(statement));
    expect(reading(/jiangsu"?\."?funding/)).toHaveLength(1);
    expect(reading(/shaanxi"?\."?(funds|project_account)/)).toHaveLength(1);
    expect(reading(/shaanxi"?\."?project_need/)).toHaveLength(1);
  });

  /** The pairing's statements: a project's place in the pipeline, its ceremony batch and its stage events. */
  const pairingProjectReads = (statements: string[]) =>
    statements.filter((statement) => /"pairing"\."(project_pipeline|ceremony_project|stage_event)"/.test(statement));

  it("reads a project's stage, ceremony and history in one statement, and its county, prefecture and account with the need", async () => {
    // A project that has received money in Shaanxi, and spent some.
    const implementing = await hub.query(`{ pipeline(first: 20, filter: { stages: [IMPLEMENTING] }) { nodes { id received { fen } } } }`);
    const { id } = implementing.data!.pipeline.nodes.find((node: { received: { fen: number } }) => node.received.fen > 0);
    const { result, statements } = await hub.countStatements(() =>
      hub.query(
        `query ($id: ID!) {
          project(id: $id) {
            stage ceremony { id } history { from to } county { code prefecture { code } } amountSought { fen }
            received { fen } spent { fen } fundsEntries { kind amount { fen } }
          }
        }`,
        { id },
      ),
    );
    expect(result.errors).toBeUndefined();
    const project = result.data!.project;
    // The demo's projects that reached SIGNED were signed at its first ceremony; a stage is its last event's.
    expect(project.stage).toBe('IMPLEMENTING');
    expect(project.ceremony).toEqual({ id: 'demo-2019-06-18-ankang' });
    expect(project.history[0].from).toBe('PROPOSED');
    expect(project.history.map((event: { to: string }) => event.to)).toEqual(expect.arrayContaining(['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED']));
    expect(project.history.at(-1).to).toBe('IMPLEMENTING');
    expect(project.county.prefecture.code).toBe(`${project.county.code.slice(0, 4)}00`);
    expect(pairingProjectReads(statements)).toHaveLength(1);
    // The account is the running totals of the project's entries (read apart, in the ledger).
    const total = (kind: string) =>
      project.fundsEntries.filter((entry: { kind: string }) => entry.kind === kind).reduce((sum: number, entry: { amount: { fen: number } }) => sum + entry.amount.fen, 0);
    expect(project.received.fen).toBeGreaterThan(0);
    expect(project.received.fen).toBe(total('RECEIPT'));
    expect(project.spent.fen).toBe(total('EXPENDITURE'));
    const needReads = statements.filter((statement) => /"shaanxi"\."project_need"/.test(statement));
    expect(needReads).toHaveLength(1);
    expect(statements.filter((statement) => /"shaanxi"\."(county|prefecture|project_account)"/.test(statement))).toEqual(needReads);
  });

  it("reads the ceremonies and histories of a page's projects in one statement, each project's its own, and their accounts with their needs", async () => {
    const { result, statements } = await hub.countStatements(() =>
      hub.query(`{
        pipeline(first: 50, filter: { stages: [PUBLISHED, MATCHED, SIGNED, IMPLEMENTING, EVALUATED] }) {
          nodes { id stage ceremony { id } history { from to at } received { fen } fundsEntries { kind amount { fen } } }
        }
      }`),
    );
    expect(result.errors).toBeUndefined();
    type Node = {
      id: string;
      stage: string;
      ceremony: { id: string } | null;
      history: { from: string; to: string; at: string }[];
      received: { fen: number };
      fundsEntries: { kind: string; amount: { fen: number } }[];
    };
    const nodes = result.data!.pipeline.nodes as Node[];
    // The demo has 8 projects at each stage.
    expect(nodes.length).toBeGreaterThanOrEqual(40);
    // Each project's own stage events, as the pipeline wrote them, read from its table.
    const events = await hub.database.db
      .select({ projectId: stageEvents.projectId, from: stageEvents.fromStage, to: stageEvents.toStage, at: stageEvents.occurredAt })
      .from(stageEvents)
      .where(inArray(stageEvents.projectId, nodes.map((node) => node.id)))
      .orderBy(asc(stageEvents.projectId), asc(stageEvents.sequence));
    const signedAtAnkang = ['SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED'];
    expect(nodes.some((node) => signedAtAnkang.includes(node.stage))).toBe(true);
    expect(nodes.some((node) => node.stage === 'PUBLISHED')).toBe(true);
    expect(nodes.some((node) => node.received.fen > 0)).toBe(true);
    for (const node of nodes) {
      const own = events.filter((event) => event.projectId === node.id);
      expect(node.history.map(({ from, to, at }) => ({ from, to, at: new Date(at).getTime() }))).toEqual(
        own.map(({ from, to, at }) => ({ from, to, at: at.getTime() })),
      );
      expect(node.history[0]?.from).toBe('PROPOSED');
      expect(node.history.at(-1)?.to).toBe(node.stage);
      if (signedAtAnkang.includes(node.stage)) expect(node.ceremony).toEqual({ id: 'demo-2019-06-18-ankang' });
      if (node.stage === 'PUBLISHED' || node.stage === 'MATCHED') expect(node.ceremony).toBeNull();
      // Its account is the running total of its own receipts.
      const receipts = node.fundsEntries.filter((entry) => entry.kind === 'RECEIPT').reduce((sum, entry) => sum + entry.amount.fen, 0);
      expect(node.received.fen).toBe(receipts);
    }
    // The page itself, then its projects' ceremonies and histories together.
    expect(pairingProjectReads(statements)).toHaveLength(2);
    // The accounts with the needs, in the Shaanxi fetch of the page's projects.
    const needReads = statements.filter((statement) => /"shaanxi"\."project_need"/.test(statement));
    expect(needReads).toHaveLength(1);
    expect(statements.filter((statement) => /"shaanxi"\."project_account"/.test(statement))).toEqual(needReads);
  });

  it('shares a need in flight between a read of it with its account and one without, as two fetches of a request do', async () => {
    const page = await hub.query(`{ pipeline(first: 3) { nodes { id } } }`);
    const ids = page.data!.pipeline.nodes.map((node: { id: string }) => node.id) as string[];
    expect(ids).toHaveLength(3);
    // One request's loaders, as the Shaanxi subgraph makes them, on the hub's database.
    const loaders = createShaanxiLoaders(new ShaanxiStore(hub.database.db), new FundsStore(hub.database.db));
    const { result, statements } = await hub.countStatements(async () => {
      // The page's money asks for the needs with their accounts; the reconciliation, in a fetch
      // of its own that may start while that statement runs, asks for the same needs without.
      const withAccounts = Promise.all(ids.map((id) => loaders.projectWithAccount.load(id)));
      const without = Promise.all(ids.map((id) => loaders.project.load(id)));
      return Promise.all([withAccounts, without]);
    });
    const [withAccounts, without] = result;
    expect(without.map((need) => need?.id)).toEqual(ids);
    expect(without).toEqual(withAccounts);
    expect(statements.filter((statement) => /"shaanxi"\."project_need"/.test(statement))).toHaveLength(1);
  });

  it("costs one statement per level for every Jiangsu city's counties and each county's city", async () => {
    const { result, statements } = await hub.countStatements(() =>
      hub.query(`{ jiangsuCities { code counties { code city { code } } } }`),
    );
    expect(result.errors).toBeUndefined();
    const cities = result.data!.jiangsuCities as { code: string; counties: { code: string; city: { code: string } }[] }[];
    expect(cities).toHaveLength(13);
    const counties = cities.flatMap((city) => city.counties.map((county) => ({ city: city.code, of: county.city.code })));
    // Jiangsu has some 95 county-level divisions, each under its own city.
    expect(counties.length).toBeGreaterThan(90);
    for (const county of counties) expect(county.of).toBe(county.city);
    // Below the list of cities, one statement per level: the counties of all cities, then their cities.
    expect(statements.filter((statement) => /from "jiangsu"\."county"/.test(statement))).toHaveLength(1);
    expect(statements.filter((statement) => /from "jiangsu"\."city" where/.test(statement))).toHaveLength(1);
  });

  it('resolves the Jiangsu division of every county pair, and its city, in one statement per level', async () => {
    const { result, statements } = await hub.countStatements(() =>
      hub.query(`{ cityPairings { countyPairs { jiangsuCountyNameZh jiangsuCounty { code nameZh city { code } } } } }`),
    );
    expect(result.errors).toBeUndefined();
    const pairs = result.data!.cityPairings.flatMap((pairing: { countyPairs: unknown[] }) => pairing.countyPairs) as {
      jiangsuCounty: { code: string } | null;
    }[];
    expect(pairs.filter((pair) => pair.jiangsuCounty !== null).length).toBeGreaterThan(50);
    // Below the list of pairings, one statement per level: the county pairs, their divisions, the divisions' cities.
    expect(statements.filter((statement) => /from "jiangsu"\."county_pair"/.test(statement))).toHaveLength(1);
    expect(statements.filter((statement) => /from "jiangsu"\."county" where/.test(statement))).toHaveLength(1);
    expect(statements.filter((statement) => /from "jiangsu"\."city" where/.test(statement))).toHaveLength(1);
  });

  it('costs the same number of statements for 5 and for 50 counties filtered by kind of record, with their filtered lists', async () => {
    const measure = async (first: number) => {
      const { result, statements } = await hub.countStatements(() => hub.query(PUBLIC_COUNTIES, { first }));
      expect(result.errors).toBeUndefined();
      expect(result.data!.counties.nodes).toHaveLength(first);
      for (const county of result.data!.counties.nodes) expect(county.jiangsuCountyPartners[0].jiangsuCounty.city.code).toMatch(/^32/);
      return statements;
    };
    const five = await measure(5);
    const fifty = await measure(50);
    expect(fifty.length).toBe(five.length);
    expect(fifty.length).toBeLessThan(20);
  });
});

describe('each statement of an operation is sent once', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  // A store may hand a resolver a query builder that runs its SQL each time it is awaited;
  // nothing between the resolver and graphql-js may await it twice.
  it.each([
    ['jiangsuCities', `{ jiangsuCities { code } }`],
    ['cityPairings', `{ cityPairings { evidence } }`],
    ['prefectures', `{ prefectures { code } }`],
    ['agreements', `{ agreements { titleZh } }`],
  ])('%s sends no statement twice', async (_name, document) => {
    const { result, statements } = await hub.countStatements(() => hub.query(document));
    expect(result.errors).toBeUndefined();
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.length).toBe(new Set(statements).size);
  });
});

describe.each([
  ['pipeline', '"project_pipeline"'],
  ['projectNeeds', '"project_need"'],
] as const)('a page of %s and its totalCount', (list, table) => {
  let hub: TestHub;
  /** Every project a walk through the pages gives, and the cursor after the last. */
  let walked: { ids: string[]; lastCursor: string | null };
  const PAGE = `query ($after: String, $filter: ${list === 'pipeline' ? 'PipelineFilter' : 'ProjectNeedFilter'}) {
    ${list}(first: 30, after: $after, filter: $filter) { totalCount nodes { id } pageInfo { endCursor hasNextPage } }
  }`;
  const listStatements = (statements: string[]) => statements.filter((statement) => statement.includes(table));

  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResult = await hub.query(PAGE, { after });
      expect(page.errors).toBeUndefined();
      ids.push(...page.data![list].nodes.map((node: { id: string }) => node.id));
      after = page.data![list].pageInfo.endCursor;
      if (!page.data![list].pageInfo.hasNextPage) break;
    }
    walked = { ids, lastCursor: after };
  });
  afterAll(() => hub?.stop());

  it('are one statement, the count beside the page', async () => {
    expect(walked.ids.length).toBeGreaterThan(30);
    const { result, statements } = await hub.countStatements(() => hub.query(PAGE, { after: null }));
    expect(result.errors).toBeUndefined();
    expect(result.data![list].totalCount).toBe(walked.ids.length);
    expect(result.data![list].nodes).toHaveLength(30);
    expect(listStatements(statements)).toHaveLength(1);
  });

  it('are counted still on a page past the last row, which holds no row to carry the count', async () => {
    const { result, statements } = await hub.countStatements(() => hub.query(PAGE, { after: walked.lastCursor }));
    expect(result.errors).toBeUndefined();
    expect(result.data![list]).toMatchObject({ totalCount: walked.ids.length, nodes: [], pageInfo: { hasNextPage: false } });
    expect(listStatements(statements)).toHaveLength(2);
  });

  it('are one statement for a filter nothing meets, counted as none', async () => {
    // The demo and the public record only: no record was entered through the graph.
    const { result, statements } = await hub.countStatements(() => hub.query(PAGE, { after: null, filter: { provenance: ['ENTERED'] } }));
    expect(result.errors).toBeUndefined();
    expect(result.data![list]).toMatchObject({ totalCount: 0, nodes: [] });
    expect(listStatements(statements)).toHaveLength(1);
  });
});
