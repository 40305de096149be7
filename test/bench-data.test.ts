import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@hub/db';
import { benchPlan, loadBenchPlan, type BenchOptions, type BenchPlan } from '@hub/bench';
import { startTestHub, type TestHub } from '@hub/testkit';
import { PROJECT_LOOKUP, clientOperation } from '../bench/operations.ts';

/**
 * The bench generator (packages/bench): the same options give the same data, the data it loads
 * holds every invariant the services keep, and over it the graph's pages cost a fixed number of
 * SQL statements however many projects there are (1,000 against 10,000: the article's scale).
 */

const SMALL: BenchOptions = { projects: 300, seed: 1, shaanxiOrganizations: 700, jiangsuOrganizations: 100 };

/** The pipeline's first page with each project's county and money in both books. */
const PIPELINE_PAGE = /* GraphQL */ `
  query Page {
    pipeline(first: 50) {
      totalCount
      nodes {
        id stage
        county { nameZh prefecture { nameZh } }
        amountSought { fen } pledged { fen } committed { fen } disbursed { fen } received { fen } spent { fen }
        reconciliation { balanced }
      }
    }
  }
`;

const FUNNEL = /* GraphQL */ `
  query Funnel {
    funnel { stage projectCount amountSought { fen } pledged { fen } committed { fen } disbursed { fen } received { fen } spent { fen } }
  }
`;

/** A county page: the county, its organizations and projects, and the ceremonies that signed for it. */
const COUNTY_PAGE = /* GraphQL */ `
  query County($code: DivisionCode!) {
    county(code: $code) {
      code nameZh
      organizations { id nameZh }
      projects { id titleZh stage raisedBy { nameZh } ceremony { id } committed { fen } }
      signingCeremonies { id }
    }
  }
`;

const MATCH_PROJECTS = /* GraphQL */ `
  query Matches {
    matchProjects(criteria: { fields: [EDUCATION, MEDICAL_AID], prefectureCodes: ["610900"], pairedWithCityCode: "320400" }, first: 20) {
      totalCount
      nodes { score reasons { code } project { id stage county { nameZh } raisedBy { nameZh } } }
    }
  }
`;

/** JSON with bigints as strings and dates as ISO strings: the plan as bytes. */
const asJson = (plan: BenchPlan) => JSON.stringify(plan, (_, value) => (typeof value === 'bigint' ? value.toString() : value));

async function loadInto(hub: TestHub, plan: BenchPlan) {
  const db = hub.database.db;
  return loadBenchPlan({ shaanxi: db, jiangsu: db, pairing: db }, plan);
}

/** The busiest county of a plan: the one with the most projects. */
function busiestCounty(plan: BenchPlan): string {
  const counts = new Map<string, number>();
  for (const project of plan.projects) counts.set(project.countyCode, (counts.get(project.countyCode) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

async function count(db: Db, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: string | number }>(db, query);
  return Number(row!.n);
}

describe('generating bench data', () => {
  it('gives byte-identical plans for the same options, and another for another seed', () => {
    const first = asJson(benchPlan(SMALL));
    expect(asJson(benchPlan(SMALL))).toBe(first);
    expect(asJson(benchPlan({ ...SMALL, seed: 2 }))).not.toBe(first);
  });

  it('raises most needs in the 56 poverty counties, some elsewhere, and keeps every package within 500 lines', () => {
    const plan = benchPlan({ projects: 3_000, seed: 7, shaanxiOrganizations: 700, jiangsuOrganizations: 100 });
    // 56 poverty counties, and some of Shaanxi's other county-level divisions besides.
    expect(new Set(plan.projects.map((project) => project.countyCode)).size).toBeGreaterThan(56);
    for (const benchPackage of plan.packages) expect(benchPackage.lines.length).toBeLessThanOrEqual(500);
    expect(plan.ceremonies.filter((ceremony) => ceremony.lineByLine === 'NOT_IN_PUBLIC_RECORD').length).toBeGreaterThan(0);
    for (const stage of ['PROPOSED', 'PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED']) {
      expect(plan.projects.some((project) => project.stage === stage)).toBe(true);
    }
  });
});

describe('bench data loaded into the hub', () => {
  let hub: TestHub;
  let plan: BenchPlan;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    plan = benchPlan(SMALL);
    expect(await loadInto(hub, plan)).toEqual({ shaanxi: true, jiangsu: true, pairing: true });
  }, 120_000);
  afterAll(() => hub?.stop());

  it('loads once: a second load finds its seed-log entry and leaves the data as it was', async () => {
    expect(await loadInto(hub, plan)).toEqual({ shaanxi: false, jiangsu: false, pairing: false });
    expect(await count(hub.database.db, sql`select count(*) as n from shaanxi.project_need where source_detail like '%bench generator%'`)).toBe(300);
  });

  it("keeps Jiangsu's running totals equal to the sums of its entries, and never more disbursed than committed", async () => {
    const db = hub.database.db;
    const accountsOff = await count(
      db,
      sql`select count(*) as n from (
            select project_id, organization_id,
                   sum(amount_fen) filter (where kind = 'PLEDGE') as pledged,
                   sum(amount_fen) filter (where kind = 'COMMITMENT') as committed,
                   sum(amount_fen) filter (where kind = 'DISBURSEMENT') as disbursed
            from jiangsu.funding_entry group by project_id, organization_id) e
          full join jiangsu.funding_account a using (project_id, organization_id)
          where a.project_id is null or e.project_id is null
             or a.pledged_fen <> coalesce(e.pledged, 0) or a.committed_fen <> coalesce(e.committed, 0)
             or a.disbursed_fen <> coalesce(e.disbursed, 0) or a.disbursed_fen > a.committed_fen`,
    );
    expect(accountsOff).toBe(0);
    const totalsOff = await count(
      db,
      sql`select count(*) as n from (
            select project_id, sum(pledged_fen) as pledged, sum(committed_fen) as committed, sum(disbursed_fen) as disbursed
            from jiangsu.funding_account group by project_id) a
          full join jiangsu.funding_project_total t using (project_id)
          where a.project_id is null or t.project_id is null
             or t.pledged_fen <> a.pledged or t.committed_fen <> a.committed or t.disbursed_fen <> a.disbursed`,
    );
    expect(totalsOff).toBe(0);
    // Some projects have a second foundation's pledge: a total sums two accounts there.
    expect(await count(db, sql`select count(*) as n from (select project_id from jiangsu.funding_account group by project_id having count(*) > 1) s`)).toBeGreaterThan(0);
  });

  it("keeps Shaanxi's accounts equal to its receipts and expenditure, never more spent than received", async () => {
    const off = await count(
      hub.database.db,
      sql`select count(*) as n from (
            select project_id, sum(amount_fen) filter (where kind = 'RECEIPT') as received,
                   sum(amount_fen) filter (where kind = 'EXPENDITURE') as spent
            from shaanxi.funds_entry group by project_id) e
          full join shaanxi.project_account a using (project_id)
          where a.project_id is null or e.project_id is null
             or a.received_fen <> coalesce(e.received, 0) or a.spent_fen <> coalesce(e.spent, 0) or a.spent_fen > a.received_fen`,
    );
    expect(off).toBe(0);
    // Every receipt is a disbursement Jiangsu recorded; a few disbursements are not received yet.
    expect(
      await count(
        hub.database.db,
        sql`select count(*) as n from shaanxi.project_account a join jiangsu.funding_project_total t using (project_id) where a.received_fen > t.disbursed_fen`,
      ),
    ).toBe(0);
  });

  it('dates every entry in both books at a stage that admits its kind, as the ledger service would', async () => {
    // The stage of the project when each entry was recorded: its last stage event by then. The
    // ledger service admits pledges at PUBLISHED, MATCHED and SCHEDULED; commitments at SIGNED
    // and IMPLEMENTING; disbursements, receipts and expenditure at SIGNED, IMPLEMENTING and COMPLETED.
    const rows = await queryRows<{ kind: string; stage: string | null; admitted: boolean; n: string | number }>(
      hub.database.db,
      sql`select entry.kind, stage.to_stage as stage, count(*) as n,
                 coalesce(case
                   when entry.kind = 'PLEDGE' then stage.to_stage in ('PUBLISHED', 'MATCHED', 'SCHEDULED')
                   when entry.kind = 'COMMITMENT' then stage.to_stage in ('SIGNED', 'IMPLEMENTING')
                   else stage.to_stage in ('SIGNED', 'IMPLEMENTING', 'COMPLETED')
                 end, false) as admitted
          from (select project_id, kind, recorded_at from jiangsu.funding_entry where source_detail like '%bench generator%'
                union all
                select project_id, kind, recorded_at from shaanxi.funds_entry where source_detail like '%bench generator%') entry
          left join lateral (
            select e.to_stage from pairing.stage_event e
            where e.project_id = entry.project_id and e.occurred_at <= entry.recorded_at
            order by e.occurred_at desc, e.sequence desc limit 1) stage on true
          group by entry.kind, stage.to_stage`,
    );
    const refused = rows.filter((row) => !row.admitted).map((row) => `${Number(row.n)} ${row.kind} at ${row.stage ?? 'no stage'}`);
    expect(refused).toEqual([]);
    // Every kind is there to be checked, and money after signing at each stage that admits it.
    expect(new Set(rows.map((row) => row.kind))).toEqual(new Set(['PLEDGE', 'COMMITMENT', 'DISBURSEMENT', 'RECEIPT', 'EXPENDITURE']));
    expect(new Set(rows.filter((row) => row.kind === 'EXPENDITURE').map((row) => row.stage))).toEqual(new Set(['IMPLEMENTING', 'COMPLETED']));
  });

  it('keeps every pipeline row in step with its last stage event, and every scheduled project in a batch', async () => {
    const db = hub.database.db;
    const pipelineOff = await count(
      db,
      sql`select count(*) as n from pairing.project_pipeline p
          left join lateral (select to_stage, sequence from pairing.stage_event e where e.project_id = p.project_id order by sequence desc limit 1) last on true
          where last.to_stage is distinct from p.stage or last.sequence is distinct from p.version
             or (select count(*) from pairing.stage_event e where e.project_id = p.project_id) <> p.version`,
    );
    expect(pipelineOff).toBe(0);
    const unbatched = await count(
      db,
      sql`select count(*) as n from pairing.project_pipeline p
          where p.stage in ('SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED')
            and p.source_detail like '%bench generator%'
            and not exists (select 1 from pairing.ceremony_project c where c.project_id = p.project_id)`,
    );
    expect(unbatched).toBe(0);
    // Published needs carry their publication date, drafts none; only published needs are in the pipeline.
    const publicationOff = await count(
      db,
      sql`select count(*) as n from shaanxi.project_need n left join pairing.project_pipeline p on p.project_id = n.id
          where n.source_detail like '%bench generator%' and ((n.published_at is null) <> (p.project_id is null))`,
    );
    expect(publicationOff).toBe(0);
    // A package's stated total is the sum of its lines.
    const packagesOff = await count(
      db,
      sql`select count(*) as n from pairing.ceremony_package k
          where k.stated_total_fen <> (select sum(amount_fen) from pairing.ceremony_package_line l where l.package_id = k.id)`,
    );
    expect(packagesOff).toBe(0);
  });

  it('raises nine in ten needs in the poverty counties of the record, and the rest in other Shaanxi counties', async () => {
    const [row] = await queryRows<{ poverty: string | number; other: string | number }>(
      hub.database.db,
      sql`select count(*) filter (where c.poverty_county) as poverty, count(*) filter (where c.poverty_county is not true) as other
          from shaanxi.project_need n join shaanxi.county c on c.code = n.county_code where n.source_detail like '%bench generator%'`,
    );
    expect(Number(row!.poverty)).toBeGreaterThan(240);
    expect(Number(row!.other)).toBeGreaterThan(0);
  });

  it('marks every generated row as synthetic, from the bench generator', async () => {
    for (const table of ['shaanxi.organization', 'shaanxi.project_need', 'shaanxi.funds_entry', 'jiangsu.organization', 'jiangsu.funding_entry', 'pairing.project_pipeline', 'pairing.stage_event', 'pairing.ceremony', 'pairing.ceremony_package']) {
      const wrong = await count(
        hub.database.db,
        sql`select count(*) as n from ${sql.raw(table)} where source_detail like '%bench generator%' and provenance_kind <> 'SYNTHETIC_DEMO'`,
      );
      const generated = await count(hub.database.db, sql`select count(*) as n from ${sql.raw(table)} where source_detail like '%bench generator%'`);
      expect(wrong, table).toBe(0);
      expect(generated, table).toBeGreaterThan(0);
    }
  });

  it('answers the pipeline, the funnel, a county page and matchProjects over it', async () => {
    const page = await hub.query(PIPELINE_PAGE);
    expect(page.errors).toBeUndefined();
    const inPipeline = plan.projects.filter((project) => project.events.length > 0).length;
    // The public record's needs are in the pipeline too.
    expect(page.data!.pipeline.totalCount).toBeGreaterThanOrEqual(inPipeline);
    expect(page.data!.pipeline.nodes).toHaveLength(50);

    const funnel = await hub.query(FUNNEL);
    expect(funnel.errors).toBeUndefined();
    const signed = funnel.data!.funnel.find((stage: { stage: string }) => stage.stage === 'SIGNED');
    expect(signed.projectCount).toBeGreaterThanOrEqual(plan.projects.filter((project) => project.stage === 'SIGNED').length);

    const county = await hub.query(COUNTY_PAGE, { code: busiestCounty(plan) });
    expect(county.errors).toBeUndefined();
    expect(county.data!.county.projects.length).toBeGreaterThan(0);

    const matches = await hub.query(MATCH_PROJECTS);
    expect(matches.errors).toBeUndefined();
    expect(matches.data!.matchProjects.totalCount).toBeGreaterThan(0);
  });
});

/**
 * The operations users send, each with the variables it takes from a plan: the same document
 * and the same kind of subject (the busiest county, the plan's agreement, a foundation that
 * shows its profile, a signed project) at either size.
 */
const OPERATIONS: [string, string, (plan: BenchPlan) => Record<string, unknown>][] = [
  ['the pipeline page of 50 with county and money', PIPELINE_PAGE, () => ({})],
  ['the funnel', FUNNEL, () => ({})],
  ['matchProjects', MATCH_PROJECTS, () => ({})],
  ['a county page (its organizations, projects and ceremonies)', COUNTY_PAGE, (plan) => ({ code: busiestCounty(plan) })],
  ['the CountyPage operation', clientOperation('CountyPage'), (plan) => ({ code: busiestCounty(plan) })],
  ['PipelineFunnel', clientOperation('PipelineFunnel'), () => ({})],
  ["a foundation's matches (FoundationMatches)", clientOperation('FoundationMatches'), (plan) => ({ id: plan.givingProfiles.find((profile) => profile.public)!.organizationId })],
  ['one project from all three subgraphs (ProjectLookup)', PROJECT_LOOKUP, (plan) => ({ id: plan.projects.find((project) => project.stage === 'IMPLEMENTING')!.id })],
];

describe('statements per operation over bench data', () => {
  const hubs: { small?: TestHub; large?: TestHub } = {};
  const plans: { small?: BenchPlan; large?: BenchPlan } = {};
  beforeAll(async () => {
    // 1,000 and 10,000 projects among the article's 23,000 Shaanxi and 1,000 Jiangsu organizations:
    // the organizations stay, so that what a page shows differs in how many projects it counts,
    // not in which lists are empty (with fewer organizations some counties fall short of the
    // five-organization rule, and tracking looks those counties up; with more, none does).
    const sizes = [
      ['small', { projects: 1_000, seed: 3, shaanxiOrganizations: 23_000, jiangsuOrganizations: 1_000 }],
      ['large', { projects: 10_000, seed: 3, shaanxiOrganizations: 23_000, jiangsuOrganizations: 1_000 }],
    ] as const;
    for (const [size, options] of sizes) {
      hubs[size] = await startTestHub('all-in-one');
      plans[size] = benchPlan(options);
      await loadInto(hubs[size]!, plans[size]!);
    }
  }, 600_000);
  afterAll(async () => {
    await hubs.small?.stop();
    await hubs.large?.stop();
  });

  it.each(OPERATIONS)('costs the same for 1,000 and 10,000 projects: %s', async (_, query, variablesOf) => {
    const measure = async (hub: TestHub, plan: BenchPlan) => {
      const { result, statements } = await hub.countStatements(() => hub.query(query, variablesOf(plan)));
      expect(result.errors).toBeUndefined();
      return statements;
    };
    const small = await measure(hubs.small!, plans.small!);
    const large = await measure(hubs.large!, plans.large!);
    expect(large.length).toBe(small.length);
    expect(large.length).toBeLessThan(25);
  });

  it("costs the same for 1,000 and 10,000 projects: the agreement's tracking (AgreementTracking), but for the counties short of organizations", async () => {
    // The five-organization rule counts the organizations in a county's signed projects: with
    // 1,000 projects some counties fall short and tracking looks them up (one batched county
    // lookup); with 10,000 none does, and that lookup is not sent. Nothing else may differ.
    const query = clientOperation('AgreementTracking');
    const measure = async (hub: TestHub, plan: BenchPlan) => {
      const { result, statements } = await hub.countStatements(() => hub.query(query, { id: plan.agreement.id }));
      expect(result.errors).toBeUndefined();
      const short = result.data!.agreement.tracking.organizationRule.countiesShort.length;
      return { short, statements: statements.map(shapeOf) };
    };
    const small = await measure(hubs.small!, plans.small!);
    const large = await measure(hubs.large!, plans.large!);
    expect(small.short).toBeGreaterThan(0);
    expect(large.short).toBe(0);
    // Counties by code, each with its prefecture.
    const countyLookup = small.statements.filter((statement) => /from "shaanxi"\."county" inner join "shaanxi"\."prefecture" .* where/.test(statement));
    expect(countyLookup.length).toBeGreaterThan(0);
    const withoutOneLookup = [...small.statements];
    withoutOneLookup.splice(withoutOneLookup.lastIndexOf(countyLookup.at(-1)!), 1);
    expect(large.statements).toEqual(withoutOneLookup);
    expect(small.statements.length).toBeLessThan(25);
  });
});

/** A statement without its parameter list's length: `in ($1, $2)` and `in ($1)` are one shape. */
const shapeOf = (statement: string) => statement.replace(/\$\d+(, \$\d+)*/g, '$…');
