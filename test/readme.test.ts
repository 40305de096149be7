import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '@hub/gateway';
import { startTestHub, type TestHub } from '@hub/testkit';

/** The example operations in README.md run as written, on the hub `npm start` gives (with its demo data). */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
const nameOf = (document: string) => /^(?:query|mutation) (\w+)/.exec(document)?.[1] ?? '';

describe('README examples', () => {
  let hub: TestHub;
  let publishedProject: string;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    const published = await hub.query(`{ pipeline(filter: { stages: [PUBLISHED] }, first: 1) { nodes { id } } }`);
    publishedProject = published.data!.pipeline.nodes[0].id;
  });
  afterAll(() => hub?.stop());

  it('are registered as trusted documents, each under its operation name', () => {
    expect(examples.map(nameOf)).toEqual([
      'FoundationIndustryProjects',
      'AgreementProgress',
      'CountyPage',
      'PipelineFunnel',
      'Pledge',
      'AgreementTracking',
      'CeremonyPackage',
      'SignCeremonyPackage',
      'FoundationMatches',
      'MatchProjects',
      'SetGivingProfile',
      'ExpressInterest',
      'ProjectInterests',
    ]);
    const registered = [...loadManifest(new URL('../gateway/trusted-documents.json', import.meta.url).pathname).values()];
    for (const example of examples) expect(registered).toContain(example);
  });

  const run = async (name: string, variables?: Record<string, unknown>, token?: string) => {
    const document = examples.find((example) => nameOf(example) === name);
    expect(document, name).toBeDefined();
    const result = await hub.query(document!, variables, { token });
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const yuan = (money: { yuan: string } | null) => Number(money?.yuan ?? 0);

  it('FoundationIndustryProjects lists industry projects, each with its county, prefecture, paired city and source', async () => {
    const { projectNeeds } = await run('FoundationIndustryProjects');
    expect(projectNeeds.nodes.length).toBeGreaterThan(0);
    expect(projectNeeds.totalCount).toBeGreaterThanOrEqual(projectNeeds.nodes.length);
    for (const need of projectNeeds.nodes) {
      expect(need.titleZh).not.toBe('');
      expect(need.county).toMatchObject({ nameZh: expect.any(String), prefecture: { nameZh: expect.any(String) } });
      // Every Shaanxi prefecture has a Jiangsu partner city in the public record.
      expect(need.county.pairedJiangsuCity?.nameZh).toEqual(expect.any(String));
      expect(['PUBLIC_RECORD', 'SYNTHETIC_DEMO']).toContain(need.provenance.kind);
      if (need.provenance.kind === 'PUBLIC_RECORD') expect(need.provenance.source.title).not.toBe('');
    }
    expect(projectNeeds.nodes.some((need: { raisedBy: unknown }) => need.raisedBy !== null)).toBe(true);
    expect(projectNeeds.nodes.some((need: { amountSought: { yuan: string } | null }) => yuan(need.amountSought) > 0)).toBe(true);
  });

  it('AgreementProgress shows the 2017 agreement as the record states it, and the demo agreement with its ceremony', async () => {
    const { agreements } = await run('AgreementProgress');
    expect(agreements.length).toBeGreaterThanOrEqual(2);
    // The public record (docs/sources/FACTS.md): a three-year agreement, 47 planned projects, four
    // focuses, one ceremony in Xi'an on 2017-12-28 with 15 projects and 6,500,000 yuan.
    const real = agreements.find((a: { titleZh: string }) => a.titleZh === '组织引导社会组织参与脱贫协议');
    expect(real).toMatchObject({
      termYears: 3,
      plannedProjectCount: 47,
      progress: { ceremoniesHeld: 1, projectsDeclared: 15, amountDeclared: { yuan: '6500000.00' } },
    });
    expect(real.focuses.map((f: { position: number }) => f.position)).toEqual([1, 2, 3, 4]);
    expect(real.ceremonies).toHaveLength(1);
    expect(real.ceremonies[0]).toMatchObject({ heldOn: '2017-12-28', cityNameZh: '西安市', declaredProjectCount: 15, declaredTotal: { yuan: '6500000.00' } });
    expect(real.ceremonies[0].signatoryOrganizations).toHaveLength(4);
    expect(real.ceremonies[0].signatoryCounties.length).toBeGreaterThan(0);
    const demo = agreements.find((a: { titleZh: string }) => a.titleZh.includes('演示'));
    expect(demo.progress.ceremoniesHeld).toBeGreaterThan(0);
    expect(demo.progress.projectsDeclared).toBeGreaterThan(0);
    expect(yuan(demo.progress.amountDeclared)).toBeGreaterThan(0);
    expect(demo.ceremonies[0].signatoryOrganizations.length).toBeGreaterThan(0);
    expect(demo.ceremonies[0].signatoryCounties.length).toBeGreaterThan(0);
  });

  it('CountyPage shows 镇坪县 with its pairing, organization, projects and ceremonies', async () => {
    const { county } = await run('CountyPage', { code: '610927' });
    expect(county).toMatchObject({
      nameZh: '镇坪县',
      namePinyin: 'Zhenping',
      povertyCounty: true,
      exitedPovertyYear: 2018,
      prefecture: { nameZh: '安康市', cityPairing: { jiangsuCity: { nameZh: '常州市' } } },
    });
    expect(county.organizations).toContainEqual(expect.objectContaining({ nameZh: '镇坪县义工协会' }));
    expect(county.projects.length).toBeGreaterThanOrEqual(3);
    expect(county.signingCeremonies.length).toBeGreaterThan(0);
  });

  it('PipelineFunnel counts every stage with its money, and lists implementing projects in 安康 with their books', async () => {
    const { funnel, pipeline } = await run('PipelineFunnel');
    const byStage = Object.fromEntries(funnel.map((row: { stage: string }) => [row.stage, row]));
    const stages = ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED'];
    for (const stage of stages) {
      expect(byStage[stage]?.projectCount, stage).toBeGreaterThan(0);
      expect(yuan(byStage[stage].amountSought), stage).toBeGreaterThan(0);
    }
    // Commitments come at signing, disbursements, receipts and spending with implementation.
    for (const stage of ['SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED']) expect(yuan(byStage[stage].committed), stage).toBeGreaterThan(0);
    for (const stage of ['IMPLEMENTING', 'COMPLETED', 'EVALUATED']) {
      for (const kind of ['disbursed', 'received', 'spent']) expect(yuan(byStage[stage][kind]), `${stage} ${kind}`).toBeGreaterThan(0);
    }

    expect(pipeline.nodes.length).toBeGreaterThan(0);
    expect(pipeline.totalCount).toBeGreaterThanOrEqual(pipeline.nodes.length);
    for (const node of pipeline.nodes) {
      expect(node.stage).toBe('IMPLEMENTING');
      expect(node.county.nameZh).toMatch(/县|区/);
      expect(node.history.length).toBeGreaterThan(0);
      expect(node.history.at(-1).to).toBe('IMPLEMENTING');
      expect(node.reconciliation.byOrganization.length).toBeGreaterThan(0);
      expect(yuan(node.reconciliation.byOrganization[0].disbursed)).toBeGreaterThan(0);
    }
    const unbalanced = pipeline.nodes.filter((node: { reconciliation: { balanced: boolean } }) => !node.reconciliation.balanced);
    expect(unbalanced).toHaveLength(1);
    expect(yuan(unbalanced[0].reconciliation.difference)).toBeGreaterThan(0);
  });

  it('FoundationMatches ranks the demo foundation\'s matches as README shows them, and a private profile stays private', async () => {
    const { jiangsuOrganization } = await run('FoundationMatches', { id: 'js-demo-jiangnan-education' });
    expect(jiangsuOrganization.givingProfile).toMatchObject({ fields: ['EDUCATION', 'CHILD_WELFARE'], pairedCity: { nameZh: '苏州市' }, public: true });
    const { matches } = jiangsuOrganization;
    // The 16 demo projects at PUBLISHED and MATCHED, none pledged in full; 40 + 20 + 20 + 15 + 15 points at most.
    expect(matches).toMatchObject({ totalCount: 16, maxScore: 110, pageInfo: { hasNextPage: true } });
    expect(matches.nodes).toHaveLength(5);
    expect(matches.nodes[0]).toMatchObject({
      score: 60,
      reasons: [
        { code: 'FIELD', points: 40, text: '领域：留守儿童和困境儿童 / field: left-behind children and children in distress' },
        { code: 'PREFERRED_PREFECTURE', points: 20, text: '您关注的地市：安康 / a prefecture you prefer: Ankang' },
      ],
      stillSought: { yuan: '70681.60' },
      project: { titleZh: '演示：留守儿童之家（虚构 17）', stage: 'MATCHED', county: { nameZh: '镇坪县' }, amountSought: { yuan: '176704.00' }, pledged: { yuan: '106022.40' } },
    });
    const scores = matches.nodes.map((node: { score: number }) => node.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const next = (await run('FoundationMatches', { id: 'js-demo-jiangnan-education', after: matches.pageInfo.endCursor })).jiangsuOrganization.matches;
    const ids = (page: { nodes: { project: { id: string } }[] }) => page.nodes.map((node) => node.project.id);
    expect(ids(next).some((id) => ids(matches).includes(id))).toBe(false);
    // 演示：淮河产业帮扶基金会 keeps its profile private: to the public it has none.
    const hidden = await hub.query(examples.find((example) => nameOf(example) === 'FoundationMatches')!, { id: 'js-demo-huaihe-industry' });
    expect(hidden.data!.jiangsuOrganization.givingProfile).toBeNull();
    expect(hidden.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const member = await hub.token('FOUNDATION_MEMBER', 'js-demo-huaihe-industry');
    expect((await run('FoundationMatches', { id: 'js-demo-huaihe-industry' }, member)).jiangsuOrganization.matches.totalCount).toBeGreaterThan(0);
  });

  it('MatchProjects ranks with criteria given inline, as README gives them', async () => {
    const criteria = { fields: ['MEDICAL_AID'], prefectureCodes: ['610900'], pairedWithCityCode: '320400', largestGrant: { fen: 50_000_000 } };
    const { matchProjects } = await run('MatchProjects', { criteria });
    expect(matchProjects).toMatchObject({ totalCount: 16, maxScore: 95 });
    for (const node of matchProjects.nodes) {
      expect(node.score).toBe(node.reasons.reduce((sum: number, reason: { points: number }) => sum + reason.points, 0));
      if (node.project.field === 'MEDICAL_AID') expect(node.reasons[0]).toMatchObject({ code: 'FIELD', zh: '领域：医疗救助', en: 'field: medical aid' });
      if (node.project.county.prefecture.nameZh === '安康市') {
        expect(node.reasons).toContainEqual({ code: 'PAIRED_CITY', points: 20, zh: '结对城市：常州 → 安康', en: 'paired city: Changzhou → Ankang' });
      }
    }
  });

  it('SetGivingProfile sets a seeded foundation\'s first profile, as README gives it', async () => {
    const member = await hub.token('FOUNDATION_MEMBER', 'js-ruihua-charity-foundation');
    const input = {
      organizationId: 'js-ruihua-charity-foundation',
      expectedVersion: 0,
      fields: ['EDUCATION', 'CHILD_WELFARE'],
      preferredPrefectureCodes: ['610900'],
      smallestGrant: { fen: 5_000_000 },
      largestGrant: { fen: 50_000_000 },
      public: true,
    };
    const { setGivingProfile } = await run('SetGivingProfile', { input }, member);
    expect(setGivingProfile).toMatchObject({ version: 1, preferredPrefectures: [{ code: '610900' }], largestGrant: { yuan: '500000.00' }, public: true });
  });

  it('ExpressInterest and ProjectInterests: a foundation\'s word reaches the offices, not the public', async () => {
    const member = await hub.token('FOUNDATION_MEMBER', 'js-demo-jiangnan-education');
    const input = {
      projectId: publishedProject,
      organizationId: 'js-demo-jiangnan-education',
      note: '可资助 20 万元，需要季度报告',
      amountInMind: { fen: 20_000_000 },
      idempotencyKey: 'interest-0001',
    };
    const { expressInterest } = await run('ExpressInterest', { input }, member);
    expect(expressInterest).toMatchObject({ note: input.note, amountInMind: { yuan: '200000.00' }, project: { stage: 'PUBLISHED' } });
    const office = await hub.token('JIANGSU_OFFICE');
    const { project } = await run('ProjectInterests', { id: publishedProject }, office);
    expect(project.interests).toContainEqual(expect.objectContaining({ organization: { id: 'js-demo-jiangnan-education', nameZh: '演示：江南助学基金会（虚构）' }, note: input.note }));
    expect((await run('ProjectInterests', { id: publishedProject })).project.interests).toEqual([]);
  });

  it('Pledge records the pledge and the project shows it', async () => {
    const token = await hub.token('FOUNDATION_MEMBER', 'js-demo-taihu-health');
    const { recordPledge } = await run('Pledge', { projectId: publishedProject }, token);
    expect(recordPledge).toMatchObject({ kind: 'PLEDGE', amount: { yuan: '50000.00' } });
    expect(recordPledge.project.titleZh).toMatch(/演示/);
    expect(yuan(recordPledge.project.pledged)).toBeGreaterThanOrEqual(50_000);
  });

  it('AgreementTracking shows the demo agreement against its targets, and the real one by its declared ceremony', async () => {
    const { agreement: demo } = await run('AgreementTracking', { id: 'demo-agreement' });
    // The demo story: its first ceremony (2019) holds the 40 projects that reached SIGNED; the
    // offices set 60 for the term. It has no ceremony known by declared figures only.
    expect(demo.termYearList).toEqual([2019, 2020, 2021]);
    expect(demo.targets.map((target: { year: number | null }) => target.year)).toEqual([null, 2019, 2020]);
    expect(demo.tracking.term.projectsSigned).toEqual({ target: 60, actual: 40, itemized: 40, declared: 0, shareReached: 0.6667 });
    expect(yuan(demo.tracking.term.committed.declared)).toBe(0);
    expect(demo.tracking.declaredCeremonies).toEqual([]);
    // Jiangsu's books hold what the 40 projects committed at signing: 80% of what each seeks,
    // 14,650,512 yuan (project i seeks 50,000 + (7,919 i mod 1,950,000) yuan; i = 32…71).
    expect(demo.tracking.term.committed.actual).toEqual({ yuan: '14650512.00' });
    const years = demo.tracking.years.map((year: { year: number; projectsSigned: { actual: number } }) => [year.year, year.projectsSigned.actual]);
    // All 40 were signed at the first ceremony, on 2019-06-18.
    expect(years).toEqual([[2019, 40], [2020, 0], [2021, 0]]);
    expect(demo.tracking.coverage.povertyCounties.known).toBe(56);
    expect(demo.tracking.organizationRule.minimum).toBe(5);

    // The record: one ceremony, 15 projects and 6,500,000 yuan, not listed one by one.
    const { agreement: real } = await run('AgreementTracking', { id: 'su-shaan-social-organizations-2017' });
    expect(real.termYearList).toEqual([2017, 2018, 2019]);
    expect(real.tracking.term.projectsSigned).toMatchObject({ actual: 15, itemized: 0, declared: 15 });
    expect(real.tracking.term.committed.declared.yuan).toBe('6500000.00');
    expect(real.tracking.term.countiesReached.actual).toBe(4); // 延川, 山阳, 紫阳, 白河
    expect(real.tracking.declaredCeremonies).toEqual([{ titleZh: expect.any(String), declaredProjectCount: 15, declaredTotal: { yuan: '6500000.00' } }]);
    expect(real.tracking.organizationRule.countiesShort).toHaveLength(56);
  });

  it('CeremonyPackage shows the next demo ceremony its final package to an office, every check passed, and nothing to the public', async () => {
    const office = await hub.token('JIANGSU_OFFICE');
    const { ceremony } = await run('CeremonyPackage', { ceremonyId: 'demo-2020-09-16-shangluo' }, office);
    expect(ceremony.lineByLine).toBe('IN_PACKAGE');
    expect(ceremony.currentPackage).toMatchObject({ version: 1, status: 'FINAL', pdfPath: '/ceremonies/demo-2020-09-16-shangluo/packages/1.pdf' });
    // Projects 24–31 each at what it seeks: 2,142,180 yuan.
    expect(ceremony.currentPackage.total).toEqual({ yuan: '2142180.00' });
    expect(ceremony.currentPackage.statedTotal).toEqual({ yuan: '2142180.00' });
    // The 8 demo projects at SCHEDULED wait for this ceremony.
    expect(ceremony.currentPackage.lines).toHaveLength(8);
    for (const line of ceremony.currentPackage.lines) {
      expect(line.project.stage).toBe('SCHEDULED');
      expect(line.shaanxiSignatory.nameZh).toMatch(/^演示/);
      expect(line.jiangsuOrganization.nameZh).toMatch(/^演示/);
    }
    expect(ceremony.currentPackage.checks.every((check: { passed: boolean }) => check.passed)).toBe(true);
    const pdf = await fetch(`${hub.origin}${ceremony.currentPackage.pdfPath}`, { headers: { authorization: `Bearer ${office}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');

    const { ceremony: publicView } = await run('CeremonyPackage', { ceremonyId: 'demo-2020-09-16-shangluo' });
    expect(publicView.currentPackage).toBeNull();
  });

  it('SignCeremonyPackage signs the final demo package, all of it, and signing again changes nothing', async () => {
    const office = await hub.token('SHAANXI_OFFICE');
    const variables = { ceremonyId: 'demo-2020-09-16-shangluo', version: 1 };
    const { signCeremonyPackage: signed } = await run('SignCeremonyPackage', variables, office);
    expect(signed.status).toBe('SIGNED');
    expect(signed.signing.completedAt).not.toBeNull();
    expect(signed.lines).toHaveLength(8);
    // Each project is SIGNED and has exactly its line's amount committed.
    for (const line of signed.lines) expect(line.project).toEqual({ stage: 'SIGNED', committed: line.amount });
    const { signCeremonyPackage: again } = await run('SignCeremonyPackage', variables, office);
    expect(again).toEqual(signed);
  });

  it('the foundation example finds the seeded industry projects with their county and pairing', async () => {
    const result = await hub.query(examples[0]!);
    const zhenping = result.data!.projectNeeds.nodes.filter((n: { county: { nameZh: string } }) => n.county.nameZh === '镇坪县');
    expect(zhenping).toHaveLength(3);
    expect(zhenping[0].county).toMatchObject({ prefecture: { nameZh: '安康市' }, pairedJiangsuCity: { nameZh: '常州市' } });
  });
});
