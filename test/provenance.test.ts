import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { PeerDirectory, startSubgraph } from '@hub/server';
import { LEDGER_TABLES, moveThrough, startTestHub, tableChecksums, type TestHub, type Topology } from '@hub/testkit';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
import { organizationAndNeedInEveryCounty } from './support/county-rows.ts';

/**
 * Public records, records entered in the hub and synthetic demo data come back together by
 * default, each with its badge; every list can be asked for some kinds only; and demo money
 * never enters a real organization's books, nor real money a demo project's.
 */
const REAL = ['PUBLIC_RECORD', 'ENTERED'];
const DEMO = ['SYNTHETIC_DEMO'];

const RUIHUA = 'js-ruihua-charity-foundation';
const DEMO_FOUNDATION = 'js-demo-taihu-health';

type Kinded = { provenance: { kind: string } };
const kinds = (nodes: Kinded[]) => new Set(nodes.map((node) => node.provenance.kind));

const LISTS = /* GraphQL */ `
  query Lists($kinds: [ProvenanceKind!]) {
    projectNeeds(first: 100, filter: { provenance: $kinds }) { totalCount nodes { provenance { kind } } }
    pipeline(first: 100, filter: { provenance: $kinds }) { totalCount nodes { provenance { kind } } }
    funnel(filter: { provenance: $kinds }) { projectCount }
    counties(first: 100, filter: { provenance: $kinds }) { totalCount nodes { provenance { kind } } }
    shaanxiOrganizations(filter: { provenance: $kinds }) { provenance { kind } }
    jiangsuOrganizations(filter: { provenance: $kinds }) { provenance { kind } }
    agreements(provenance: $kinds) { provenance { kind } }
    ceremonies(provenance: $kinds) { provenance { kind } }
    participants(provenance: $kinds) { organization { id provenance { kind } } }
  }
`;

describe('provenance on the lists', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
  });
  afterAll(() => hub?.stop());

  const lists = async (selected: string[] | null) => {
    const result = await hub.query(LISTS, { kinds: selected });
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  it('shows every kind by default, and exactly the kinds asked for when asked', async () => {
    const [all, real, demo] = await Promise.all([lists(null), lists(REAL), lists(DEMO)]);

    for (const list of ['projectNeeds', 'pipeline'] as const) {
      expect(demo[list].totalCount).toBeGreaterThan(0);
      expect(real[list].totalCount + demo[list].totalCount).toBe(all[list].totalCount);
      expect(kinds(demo[list].nodes)).toEqual(new Set(DEMO));
      expect(kinds(real[list].nodes).has('SYNTHETIC_DEMO')).toBe(false);
    }
    const funnelCount = (stages: { projectCount: number }[]) => stages.reduce((sum, stage) => sum + stage.projectCount, 0);
    expect(funnelCount(demo.funnel)).toBe(demo.pipeline.totalCount);
    expect(funnelCount(real.funnel) + funnelCount(demo.funnel)).toBe(funnelCount(all.funnel));

    // Counties are real divisions: none is demo data.
    expect(demo.counties.totalCount).toBe(0);
    expect(real.counties.totalCount).toBe(all.counties.totalCount);

    for (const list of ['shaanxiOrganizations', 'jiangsuOrganizations', 'agreements', 'ceremonies'] as const) {
      expect(real[list].length + demo[list].length).toBe(all[list].length);
      expect(kinds(real[list]).has('SYNTHETIC_DEMO')).toBe(false);
      for (const kind of kinds(demo[list])) expect(kind).toBe('SYNTHETIC_DEMO');
    }
    // The fictional foundations and agreement exist only in the demo data.
    expect(demo.jiangsuOrganizations.length).toBeGreaterThan(0);
    expect(demo.agreements).toHaveLength(1);
    // The demo's signed ceremony and the next one, whose package waits to be signed.
    expect(demo.ceremonies).toHaveLength(2);

    // Who takes part through the demo agreement and ceremony are the fictional organizations.
    const realParticipants = real.participants.map((p: { organization: Kinded }) => p.organization.provenance.kind);
    expect(realParticipants).not.toContain('SYNTHETIC_DEMO');
    expect(demo.participants.length).toBeGreaterThan(0);
    expect(demo.participants.map((p: { organization: Kinded }) => p.organization.provenance.kind)).toContain('SYNTHETIC_DEMO');
  });

  it('an empty list of kinds matches nothing', async () => {
    const none = await lists([]);
    expect(none.projectNeeds.totalCount).toBe(0);
    expect(none.pipeline.totalCount).toBe(0);
    expect(none.participants).toEqual([]);
    expect(none.ceremonies).toEqual([]);
  });

  it('shows the demo ceremony on the real counties it names with its badge, and leaves it out when asked', async () => {
    const demoCeremony = (await hub.query(`{ ceremonies(provenance: [SYNTHETIC_DEMO]) { id signatoryCounties { code provenance { kind } } } }`))
      .data!.ceremonies[0];
    const code = demoCeremony.signatoryCounties[0].code;
    expect(demoCeremony.signatoryCounties[0].provenance.kind).toBe('PUBLIC_RECORD');
    const result = await hub.query(
      `query ($code: DivisionCode!) { county(code: $code) {
        all: signingCeremonies { id provenance { kind } }
        real: signingCeremonies(provenance: [PUBLIC_RECORD, ENTERED]) { id }
      } }`,
      { code },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.county.all).toContainEqual({ id: demoCeremony.id, provenance: { kind: 'SYNTHETIC_DEMO' } });
    expect(result.data!.county.real.map((c: { id: string }) => c.id)).not.toContain(demoCeremony.id);
  });

  // Worked out by hand from subgraphs/shaanxi/seed and packages/demo/src/plan.ts. 镇坪县 (610927)
  // has three needs of the public record, all raised by 镇坪县义工协会, the one organization of
  // the record based there. The demo plan puts six of its 80 projects there: the first project
  // of MATCHED and of COMPLETED (安康's third county, stage indexes 2 and 6 of the four-county
  // cycle) and projects 2, 20, 38 and 74 (the third of the 18 demo counties, 56 being the first
  // of EVALUATED and so placed by the 安康 cycle instead). Project 2 is PROPOSED, a draft only
  // the Shaanxi office sees; the public sees five. No demo organization is a Shaanxi one.
  const ZHENPING = '610927';
  const ZHENPING_VOLUNTEERS = 'sn-zhenping-volunteer-association';
  const COUNTY_LISTS = /* GraphQL */ `
    query CountyLists($code: DivisionCode!) {
      county(code: $code) {
        all: projects { provenance { kind } }
        real: projects(provenance: [PUBLIC_RECORD, ENTERED]) { provenance { kind } }
        demo: projects(provenance: [SYNTHETIC_DEMO]) { titleZh provenance { kind } }
        entered: projects(provenance: [ENTERED]) { id }
        none: projects(provenance: []) { id }
        allOrganizations: organizations { id projectsRaised { id } demoRaised: projectsRaised(provenance: [SYNTHETIC_DEMO]) { id } }
        realOrganizations: organizations(provenance: [PUBLIC_RECORD, ENTERED]) { id projectsRaised(provenance: [PUBLIC_RECORD]) { id } }
        demoOrganizations: organizations(provenance: [SYNTHETIC_DEMO]) { id }
        noOrganizations: organizations(provenance: []) { id }
      }
    }
  `;
  const countOfKind = (nodes: Kinded[], kind: string) => nodes.filter((node) => node.provenance.kind === kind).length;

  it("filters a county's projects and organizations, and an organization's projects, by kind", async () => {
    const result = await hub.query(COUNTY_LISTS, { code: ZHENPING });
    expect(result.errors).toBeUndefined();
    const county = result.data!.county;
    expect(county.all).toHaveLength(8);
    expect(countOfKind(county.all, 'PUBLIC_RECORD')).toBe(3);
    expect(countOfKind(county.all, 'SYNTHETIC_DEMO')).toBe(5);
    expect(county.real).toHaveLength(3);
    expect(kinds(county.real)).toEqual(new Set(['PUBLIC_RECORD']));
    expect(county.demo).toHaveLength(5);
    for (const project of county.demo) expect(project.titleZh).toMatch(/^演示/);
    expect(county.entered).toEqual([]);
    expect(county.none).toEqual([]);

    expect(county.allOrganizations).toEqual([
      { id: ZHENPING_VOLUNTEERS, projectsRaised: expect.any(Array), demoRaised: [] },
    ]);
    expect(county.allOrganizations[0].projectsRaised).toHaveLength(3);
    expect(county.realOrganizations).toHaveLength(1);
    expect(county.realOrganizations[0].projectsRaised).toHaveLength(3);
    expect(county.demoOrganizations).toEqual([]);
    expect(county.noOrganizations).toEqual([]);
  });

  it("keeps drafts out of a county's filtered projects for the public, and in for the Shaanxi office", async () => {
    const asOffice = await hub.query(COUNTY_LISTS, { code: ZHENPING }, { token: await hub.token('SHAANXI_OFFICE') });
    expect(asOffice.errors).toBeUndefined();
    // The PROPOSED demo project is a draft: the office sees six demo needs, the public five.
    expect(asOffice.data!.county.demo).toHaveLength(6);
    expect(asOffice.data!.county.real).toHaveLength(3);
  });

  it("filters a Jiangsu city's organizations and an organization's ceremonies by kind", async () => {
    // 苏州 (320500): 金螳螂公益慈善基金会 of the record, which signed at the 2017 ceremony, and the
    // demo plan's 江南助学基金会, which signed at the demo ceremony only.
    const result = await hub.query(`{
      jiangsuCity(code: "320500") {
        all: organizations { id }
        real: organizations(provenance: [PUBLIC_RECORD, ENTERED]) {
          id
          all: ceremonies { id }
          demo: ceremonies(provenance: [SYNTHETIC_DEMO]) { id }
        }
        demo: organizations(provenance: [SYNTHETIC_DEMO]) {
          id
          all: ceremonies { id }
          real: ceremonies(provenance: [PUBLIC_RECORD, ENTERED]) { id }
          none: ceremonies(provenance: []) { id }
        }
      }
    }`);
    expect(result.errors).toBeUndefined();
    const city = result.data!.jiangsuCity;
    expect(city.all.map((organization: { id: string }) => organization.id).sort()).toEqual(
      ['js-demo-jiangnan-education', 'js-suzhou-gold-mantis-foundation'],
    );
    expect(city.real).toEqual([{ id: 'js-suzhou-gold-mantis-foundation', all: [{ id: '2017-12-28-xian' }], demo: [] }]);
    expect(city.demo).toEqual([
      { id: 'js-demo-jiangnan-education', all: [{ id: 'demo-2019-06-18-ankang' }], real: [], none: [] },
    ]);
  });

  it('lists everyone the demo agreement and ceremony name as demo participants, real parties with the demo roles only', async () => {
    // The demo agreement's parties are the two real civil-affairs departments; its signed
    // ceremony's signatories are the three fictional foundations and the three fictional
    // Shaanxi organizations that sign for the needs they raised; it has no coordinator and no host.
    const result = await hub.query(`{
      demo: participants(provenance: [SYNTHETIC_DEMO]) { organization { id provenance { kind } } roles }
      real: participants(provenance: [PUBLIC_RECORD, ENTERED]) { organization { id } roles }
    }`);
    expect(result.errors).toBeUndefined();
    type Row = { organization: { id: string; provenance?: { kind: string } }; roles: string[] };
    const byId = (rows: Row[]) =>
      Object.fromEntries(rows.map(({ organization, roles }) => [organization.id, { ...organization, roles }]));
    const demo = byId(result.data!.demo);
    expect(Object.keys(demo).sort()).toEqual([
      'js-civil-affairs-department',
      'js-demo-huaihe-industry',
      'js-demo-jiangnan-education',
      'js-demo-taihu-health',
      'sn-civil-affairs-department',
      'sn-demo-ankang-social-work',
      'sn-demo-loess-rural-development',
      'sn-demo-qinba-volunteers',
    ]);
    for (const department of ['js-civil-affairs-department', 'sn-civil-affairs-department']) {
      expect(demo[department]).toMatchObject({ provenance: { kind: 'PUBLIC_RECORD' }, roles: ['AGREEMENT_PARTY'] });
    }
    for (const foundation of [
      'js-demo-huaihe-industry',
      'js-demo-jiangnan-education',
      'js-demo-taihu-health',
      'sn-demo-ankang-social-work',
      'sn-demo-loess-rural-development',
      'sn-demo-qinba-volunteers',
    ]) {
      expect(demo[foundation]).toMatchObject({ provenance: { kind: 'SYNTHETIC_DEMO' }, roles: ['SIGNATORY'] });
    }
    // The same departments take part in the record too, as hosts of the 2017 ceremony, which
    // the demo view does not show and the real view does.
    const real = byId(result.data!.real);
    expect(real['js-civil-affairs-department']!.roles).toContain('CEREMONY_HOST');
    expect(Object.keys(real).filter((id) => id.startsWith('js-demo-'))).toEqual([]);
  });

  it('refuses to start with DEMO_DATA=false on a database that holds the demo data, and changes nothing', async () => {
    const rowsBefore = await queryRows(hub.database.db, sql`select count(*)::int as n from shaanxi.project_need`);
    for (const module of [shaanxiSubgraph, jiangsuSubgraph, pairingSubgraph] as const) {
      await expect(
        startSubgraph(module as never, hub.database, new PeerDirectory().for(module.name), { demo: false }),
      ).rejects.toThrow(/DEMO_DATA=false, but the \w+ database already holds the synthetic demo data/);
    }
    expect(await queryRows(hub.database.db, sql`select count(*)::int as n from shaanxi.project_need`)).toEqual(rowsBefore);
  });
});

describe('statements for lists filtered by kind', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    // An entered organization in every county, with a published need it raised, so that every
    // county of a page has rows at every filtered level.
    await organizationAndNeedInEveryCounty(hub.database.db, { idPrefix: 'entered-org', label: '登记', provenanceKind: 'ENTERED' });
  });
  afterAll(() => hub?.stop());

  it('costs the same number of statements for 5 and for 50 counties with their lists filtered by kind', async () => {
    // Two filters of each list side by side: one statement per filter and level, not per county.
    const measure = async (first: number) => {
      const { result, statements } = await hub.countStatements(() =>
        hub.query(
          `query ($first: Int!) { counties(first: $first, filter: { provenance: [PUBLIC_RECORD] }) { nodes {
            code
            real: projects(provenance: [PUBLIC_RECORD, ENTERED]) { id }
            demo: projects(provenance: [SYNTHETIC_DEMO]) { id }
            realOrganizations: organizations(provenance: [PUBLIC_RECORD, ENTERED]) { id projectsRaised(provenance: [ENTERED]) { id } }
            demoOrganizations: organizations(provenance: [SYNTHETIC_DEMO]) { id }
          } } }`,
          { first },
        ),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.counties.nodes).toHaveLength(first);
      // Every level has rows on every page, so no level is skipped on one page and run on the other.
      for (const county of result.data!.counties.nodes) {
        expect(county.real.length).toBeGreaterThan(0);
        const raised = county.realOrganizations.flatMap((organization: { projectsRaised: unknown[] }) => organization.projectsRaised);
        expect(raised.length).toBeGreaterThan(0);
      }
      return statements;
    };
    const five = await measure(5);
    const fifty = await measure(50);
    expect(fifty.length).toBe(five.length);
    const needReads = fifty.filter((statement) => /from "shaanxi"\."project_need"/.test(statement));
    const organizationReads = fifty.filter((statement) => /from "shaanxi"\."organization"/.test(statement));
    // The two filters of County.projects and the one of ShaanxiOrganization.projectsRaised.
    expect(needReads).toHaveLength(3);
    expect(organizationReads).toHaveLength(2);
  });
});

describe.each<Topology>(['all-in-one', 'distributed'])('demo money stays out of real books, %s', (topology) => {
  let hub: TestHub;
  let tokens: { ruihua: string; demoMember: string; jiangsu: string; shaanxi: string };
  let key = 0;
  const nextKey = () => `provenance-${topology}-${(key += 1).toString().padStart(4, '0')}`;

  beforeAll(async () => {
    hub = await startTestHub(topology, { DEMO_DATA: 'true' });
    tokens = {
      ruihua: await hub.token('FOUNDATION_MEMBER', RUIHUA),
      demoMember: await hub.token('FOUNDATION_MEMBER', DEMO_FOUNDATION),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      shaanxi: await hub.token('SHAANXI_OFFICE'),
    };
  });
  afterAll(() => hub?.stop());

  const books = () => tableChecksums(hub.database.db, LEDGER_TABLES);

  const demoProjectAt = async (stage: string): Promise<string> => {
    const result = await hub.query(
      `query ($stages: [ProjectStage!]) { pipeline(first: 1, filter: { stages: $stages, provenance: [SYNTHETIC_DEMO] }) { nodes { id } } }`,
      { stages: [stage] },
    );
    return result.data!.pipeline.nodes[0].id;
  };

  /** A real need entered by the Shaanxi office and moved to `stages` by it. */
  const realProjectThrough = async (stages: string[]): Promise<string> => {
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610929", titleZh: "白河县村卫生室", field: EDUCATION, amountSought: { fen: 1000000 } }) { id } }`,
      {},
      { token: tokens.shaanxi },
    );
    expect(raised.errors).toBeUndefined();
    const id = raised.data!.raiseProjectNeed.id;
    await moveThrough(hub, id, stages, tokens.shaanxi);
    return id;
  };

  const fund = (mutation: string, token: string, projectId: string, organizationId: string) =>
    hub.query(`mutation ($input: FundingEntryInput!) { ${mutation}(input: $input) { id } }`, {
      input: { projectId, organizationId, amount: { fen: 10_000 }, idempotencyKey: nextKey() },
    }, { token });
  const receipt = (projectId: string, fromOrganizationId: string) =>
    hub.query(`mutation ($input: ReceiptInput!) { recordReceipt(input: $input) { id } }`, {
      input: { projectId, fromOrganizationId, amount: { fen: 10_000 }, idempotencyKey: nextKey() },
    }, { token: tokens.shaanxi });

  it('refuses a real foundation money on a demo project and a demo foundation money on a real one, writing nothing', async () => {
    const demoPublished = await demoProjectAt('PUBLISHED');
    const demoSigned = await demoProjectAt('SIGNED');
    const realPublished = await realProjectThrough(['PUBLISHED']);
    const realSigned = await realProjectThrough(['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED']);
    const before = await books();

    const refused = [
      await fund('recordPledge', tokens.ruihua, demoPublished, RUIHUA),
      await fund('recordCommitment', tokens.jiangsu, demoSigned, RUIHUA),
      await fund('recordDisbursement', tokens.jiangsu, demoSigned, RUIHUA),
      await fund('recordPledge', tokens.demoMember, realPublished, DEMO_FOUNDATION),
      await fund('recordCommitment', tokens.jiangsu, realSigned, DEMO_FOUNDATION),
      await fund('recordDisbursement', tokens.demoMember, realSigned, DEMO_FOUNDATION),
      await receipt(demoSigned, RUIHUA),
      await receipt(realSigned, DEMO_FOUNDATION),
    ];
    for (const result of refused) {
      expect(result.errors?.[0]?.extensions?.code).toBe('PROVENANCE_MISMATCH');
      expect(result.data?.[Object.keys(result.data ?? {})[0] ?? ''] ?? null).toBeNull();
    }
    expect(await books()).toEqual(before);
  });

  it('never matches a demo foundation with a real project, nor a real one with a demo project', async () => {
    const realPublished = await realProjectThrough(['PUBLISHED']);
    const demoPublished = await demoProjectAt('PUBLISHED');
    const history = async (id: string) =>
      (await hub.query(`query ($id: ID!) { project(id: $id) { pipelineVersion history { sequence } } }`, { id })).data!.project;
    for (const [projectId, organizationId] of [
      [realPublished, DEMO_FOUNDATION],
      [demoPublished, RUIHUA],
    ] as const) {
      const before = await history(projectId);
      const moved = await hub.query(
        `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { id } }`,
        { input: { projectId, to: 'MATCHED', expectedVersion: before.pipelineVersion, organizationId } },
        { token: tokens.jiangsu },
      );
      expect(moved.errors?.[0]?.extensions?.code).toBe('PROVENANCE_MISMATCH');
      expect(await history(projectId)).toEqual(before);
    }
  });

  it('records money where both sides are of one kind: demo with demo, real with real', async () => {
    const demoPublished = await demoProjectAt('PUBLISHED');
    const realSigned = await realProjectThrough(['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED']);
    expect((await fund('recordPledge', tokens.demoMember, demoPublished, DEMO_FOUNDATION)).errors).toBeUndefined();
    expect((await fund('recordCommitment', tokens.jiangsu, realSigned, RUIHUA)).errors).toBeUndefined();
    expect((await receipt(realSigned, RUIHUA)).errors).toBeUndefined();
  });
});
