import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type GraphQLResult, type TestHub } from '@hub/testkit';

/** The synthetic demo pipeline `npm start` loads: flagged as such, and cheap to page through. */
const PAGE = /* GraphQL */ `
  query Page($first: Int!) {
    pipeline(first: $first) {
      totalCount
      nodes {
        id
        titleZh
        stage
        iatiActivityStatus
        county { nameZh prefecture { nameZh } }
        history { sequence }
        amountSought { fen }
        pledged { fen }
        committed { fen }
        disbursed { fen }
        received { fen }
        spent { fen }
        fundingGap { fen }
        reconciliation { balanced difference { fen } }
        provenance { kind }
      }
    }
  }
`;

describe('the demo pipeline', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
  });
  afterAll(() => hub?.stop());

  it('has projects at every stage, each flagged as synthetic', async () => {
    const result = await hub.query(PAGE, { first: 100 });
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.pipeline.nodes as { stage: string; provenance: { kind: string }; titleZh: string }[];
    expect(new Set(nodes.map((n) => n.stage))).toEqual(
      new Set(['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED']),
    );
    for (const node of nodes) {
      expect(node.provenance.kind).toBe('SYNTHETIC_DEMO');
      expect(node.titleZh).toMatch(/演示/);
    }
    // PROPOSED needs are drafts: the Shaanxi office sees them, the public does not.
    const proposedDemoNeeds = async (token?: string) => {
      const needs = await hub.query(`{ projectNeeds(first: 100) { nodes { stage provenance { kind } } } }`, {}, { token });
      return needs.data!.projectNeeds.nodes.filter(
        (n: { stage: string; provenance: { kind: string } }) => n.stage === 'PROPOSED' && n.provenance.kind === 'SYNTHETIC_DEMO',
      ).length;
    };
    expect(await proposedDemoNeeds(await hub.token('SHAANXI_OFFICE'))).toBeGreaterThan(0);
    expect(await proposedDemoNeeds()).toBe(0);
  });

  it('leaves the public record alone: the real agreement and ceremony keep only what the record states', async () => {
    const result = await hub.query(`{
      agreement(id: "su-shaan-social-organizations-2017") { progress { ceremoniesHeld projectsDeclared } }
      ceremony(id: "2017-12-28-xian") { projects { id } signatoryOrganizations { id } }
    }`);
    expect(result.data).toEqual({
      agreement: { progress: { ceremoniesHeld: 1, projectsDeclared: 15 } },
      ceremony: {
        projects: [],
        signatoryOrganizations: [
          { id: 'js-poverty-alleviation-foundation' },
          { id: 'js-ruihua-charity-foundation' },
          { id: 'js-suzhou-gold-mantis-foundation' },
          { id: 'js-tongtai-charity-foundation' },
        ],
      },
    });
  });

  it('says the 2017 ceremony is known by its declared figures only, and shows the demo packages, one signed and one final', async () => {
    const PACKAGES = /* GraphQL */ `{
      real: ceremony(id: "2017-12-28-xian") { lineByLine declaredProjectCount declaredTotal { yuan } packages { version } }
      signed: ceremony(id: "demo-2019-06-18-ankang") {
        lineByLine declaredProjectCount declaredTotal { fen }
        currentPackage { status version total { fen } statedTotal { fen } contentHash pdfPath lines { project { stage } } checks { passed } }
      }
      next: ceremony(id: "demo-2020-09-16-shangluo") {
        lineByLine declaredProjectCount
        currentPackage { status contentHash lines { project { stage } amount { fen } } checks { passed } }
      }
    }`;
    const office = await hub.query(PACKAGES, {}, { token: await hub.token('JIANGSU_OFFICE') });
    expect(office.errors).toBeUndefined();
    const { real, signed, next } = office.data!;
    // The record gives 15 projects and 6,500,000 yuan, not the projects one by one.
    expect(real).toEqual({ lineByLine: 'NOT_IN_PUBLIC_RECORD', declaredProjectCount: 15, declaredTotal: { yuan: '6500000.00' }, packages: [] });

    // The demo story: 8 projects a stage; those that reached SIGNED (SIGNED, IMPLEMENTING,
    // COMPLETED, EVALUATED and SUSPENDED from IMPLEMENTING) were signed at the first ceremony.
    expect(signed.lineByLine).toBe('IN_PACKAGE');
    expect(signed.currentPackage).toMatchObject({ status: 'SIGNED', version: 1, pdfPath: '/ceremonies/demo-2019-06-18-ankang/packages/1.pdf' });
    expect(signed.currentPackage.lines).toHaveLength(40);
    expect(signed.currentPackage.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // The story's amounts: project i (from 0) seeks 50,000 + (7,919 i mod 1,950,000) yuan and has
    // 80% of it committed at signing; projects 32–71 reached SIGNED: 14,650,512 yuan.
    expect(signed.currentPackage.total).toEqual({ fen: 1_465_051_200 });
    expect(signed.currentPackage.statedTotal).toEqual({ fen: 1_465_051_200 });
    expect(signed.declaredProjectCount).toBe(40);
    expect(signed.declaredTotal).toEqual({ fen: 1_465_051_200 });
    expect(new Set(signed.currentPackage.lines.map((line: { project: { stage: string } }) => line.project.stage))).toEqual(
      new Set(['SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED']),
    );
    // The 8 projects still SCHEDULED wait for the next ceremony, in a final package.
    expect(next).toMatchObject({ lineByLine: 'IN_PACKAGE', declaredProjectCount: 0, currentPackage: { status: 'FINAL' } });
    expect(next.currentPackage.lines).toHaveLength(8);
    for (const line of next.currentPackage.lines) expect(line.project.stage).toBe('SCHEDULED');
    // Projects 24–31 (SCHEDULED), each line what the project seeks: 240,056 … 295,489 yuan.
    expect(next.currentPackage.lines.map((line: { amount: { fen: number } }) => line.amount.fen).sort((a: number, b: number) => a - b)).toEqual([
      24_005_600, 24_797_500, 25_589_400, 26_381_300, 27_173_200, 27_965_100, 28_757_000, 29_548_900,
    ]);
    for (const ceremonyPackage of [signed.currentPackage, next.currentPackage]) {
      expect(ceremonyPackage.checks.length).toBeGreaterThan(0);
      expect(ceremonyPackage.checks.every((check: { passed: boolean }) => check.passed)).toBe(true);
    }

    // The public sees the signed package, not the one still to be signed.
    const publicView = await hub.query(PACKAGES);
    expect(publicView.data!.signed.currentPackage.status).toBe('SIGNED');
    expect(publicView.data!.next.currentPackage).toBeNull();
  });

  it('shows the seeded mismatch between what Jiangsu sent and what Shaanxi received', async () => {
    const result = await hub.query(PAGE, { first: 100 });
    const unbalanced = result.data!.pipeline.nodes.filter((n: { reconciliation: { balanced: boolean } }) => !n.reconciliation.balanced);
    expect(unbalanced).toHaveLength(1);
    expect(unbalanced[0]).toMatchObject({ stage: 'IMPLEMENTING', reconciliation: { difference: { fen: 1_234_500 } } });
    expect(unbalanced[0].disbursed.fen - unbalanced[0].received.fen).toBe(1_234_500);
  });

  it('costs the same number of SQL statements for a page of 50 projects as for a page of 5', async () => {
    const measure = async (first: number) => {
      const { result, statements } = await hub.countStatements(() => hub.query(PAGE, { first }));
      expect(result.errors).toBeUndefined();
      expect(result.data!.pipeline.nodes).toHaveLength(first);
      return statements.length;
    };
    const five = await measure(5);
    const fifty = await measure(50);
    expect(fifty).toBe(five);
    expect(fifty).toBeLessThan(25);
  });

  it('filters the pipeline by stage, prefecture, field, organization and year, with totals that add up', async () => {
    const all = (await hub.query(`{ pipeline { totalCount } }`)).data!.pipeline.totalCount;
    const byStage = await hub.query(`{ funnel { stage projectCount } }`);
    const sum = byStage.data!.funnel.reduce((total: number, s: { projectCount: number }) => total + s.projectCount, 0);
    expect(sum).toBe(all);
    const filtered = await hub.query(`{
      ankang: pipeline(filter: { prefectureCode: "610900" }, first: 100) { totalCount nodes { county { prefecture { code } } } }
      education: pipeline(filter: { field: EDUCATION }, first: 100) { totalCount nodes { field } }
      foundation: pipeline(filter: { organizationId: "js-demo-taihu-health" }, first: 100) { totalCount nodes { matchedOrganization { id } } }
      y2018: pipeline(filter: { year: 2018 }) { totalCount }
      y2019: pipeline(filter: { year: 2019 }) { totalCount }
      y2020: pipeline(filter: { year: 2020 }) { totalCount }
    }`);
    const data = filtered.data!;
    expect(data.ankang.totalCount).toBeGreaterThan(0);
    for (const node of data.ankang.nodes) expect(node.county.prefecture.code).toBe('610900');
    for (const node of data.education.nodes) expect(node.field).toBe('EDUCATION');
    expect(data.foundation.totalCount).toBeGreaterThan(0);
    for (const node of data.foundation.nodes) expect(node.matchedOrganization).toEqual({ id: 'js-demo-taihu-health' });
    expect(data.y2018.totalCount + data.y2019.totalCount + data.y2020.totalCount).toBe(all);
  });

  it('pages with a cursor without repeating or skipping projects', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const result: GraphQLResult = await hub.query(
        `query ($after: String) { pipeline(first: 20, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...result.data!.pipeline.nodes.map((n: { id: string }) => n.id));
      if (!result.data!.pipeline.pageInfo.hasNextPage) break;
      after = result.data!.pipeline.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe((await hub.query(`{ pipeline { totalCount } }`)).data!.pipeline.totalCount);
  });
});
