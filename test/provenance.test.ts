import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { PeerDirectory, startSubgraph } from '@hub/server';
import { startTestHub, type TestHub, type Topology } from '@hub/testkit';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';

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
    expect(demo.ceremonies).toHaveLength(1);

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

  const books = () =>
    queryRows(
      hub.database.db,
      sql`select
        (select md5(coalesce(string_agg(e::text, '|' order by e.id), '')) from jiangsu.funding_entry e) as funding_entries,
        (select md5(coalesce(string_agg(a::text, '|' order by a.project_id, a.organization_id), '')) from jiangsu.funding_account a) as funding_accounts,
        (select md5(coalesce(string_agg(t::text, '|' order by t.project_id), '')) from jiangsu.funding_project_total t) as funding_project_totals,
        (select md5(coalesce(string_agg(e::text, '|' order by e.id), '')) from shaanxi.funds_entry e) as funds_entries,
        (select md5(coalesce(string_agg(a::text, '|' order by a.project_id), '')) from shaanxi.project_account a) as project_accounts`,
    );

  const demoProjectAt = async (stage: string): Promise<string> => {
    const result = await hub.query(
      `query ($stages: [ProjectStage!]) { pipeline(first: 1, filter: { stages: $stages, provenance: [SYNTHETIC_DEMO] }) { nodes { id } } }`,
      { stages: [stage] },
    );
    return result.data!.pipeline.nodes[0].id;
  };

  /** A real need entered by the Shaanxi office and moved to `stages` by the offices. */
  const realProjectThrough = async (stages: string[]): Promise<string> => {
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610929", titleZh: "白河县村卫生室", field: EDUCATION, amountSought: { fen: 1000000 } }) { id } }`,
      {},
      { token: tokens.shaanxi },
    );
    expect(raised.errors).toBeUndefined();
    const id = raised.data!.raiseProjectNeed.id;
    let version = 0;
    for (const to of stages) {
      const extra = to === 'MATCHED' ? { organizationId: RUIHUA } : to === 'SCHEDULED' ? { ceremonyId: '2017-12-28-xian' } : {};
      const moved = await hub.query(
        `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { pipelineVersion } }`,
        { input: { projectId: id, to, expectedVersion: version, ...extra } },
        { token: to === 'PUBLISHED' ? tokens.shaanxi : tokens.jiangsu },
      );
      expect(moved.errors).toBeUndefined();
      version = moved.data!.moveProject.pipelineVersion;
    }
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

  it('records money where both sides are of one kind: demo with demo, real with real', async () => {
    const demoPublished = await demoProjectAt('PUBLISHED');
    const realSigned = await realProjectThrough(['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED']);
    expect((await fund('recordPledge', tokens.demoMember, demoPublished, DEMO_FOUNDATION)).errors).toBeUndefined();
    expect((await fund('recordCommitment', tokens.jiangsu, realSigned, RUIHUA)).errors).toBeUndefined();
    expect((await receipt(realSigned, RUIHUA)).errors).toBeUndefined();
  });
});
