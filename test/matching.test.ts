import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { moveThrough, startTestHub, type TestHub, type Topology } from '@hub/testkit';

/**
 * Matching ranks the projects open for funding by a score whose parts come from the subgraph
 * that owns each one's data (docs/decisions/0026-matching.md). The fixture below is ranked by
 * hand from the decision's points table and the public record's county facts: 紫阳县 is the one
 * deep-poverty county the record names, 延安 lies in the Shaan-Gan-Ning old area, and 常州 is
 * paired with 安康.
 */
const FOUNDATION = 'js-ruihua-charity-foundation';

// Fund education; prefer 安康 and 镇坪; count 常州's pairing; deep poverty and old areas
// first; grants from 100,000 to 500,000 yuan, within a 2,000,000 yuan year.
const CRITERIA = {
  fields: ['EDUCATION'],
  prefectureCodes: ['610900'],
  countyCodes: ['610927'],
  pairedWithCityCode: '320400',
  prioritizeDeepPoverty: true,
  prioritizeRevolutionaryOldArea: true,
  smallestGrant: { fen: 10_000_000 },
  largestGrant: { fen: 50_000_000 },
  yearlyBudget: { fen: 200_000_000 },
  reportingLanguages: ['ZH'],
};
// FIELD 40 + PREFERRED_COUNTY 30 + PAIRED_CITY 20 + DEEP_POVERTY 15 + REVOLUTIONARY_OLD_AREA 10 + GRANT_RANGE 15.
const MAX_SCORE = 130;

const MATCHES = /* GraphQL */ `
  query Matches($criteria: MatchCriteriaInput!, $filter: MatchFilter, $first: Int, $after: String) {
    matchProjects(criteria: $criteria, filter: $filter, first: $first, after: $after) {
      totalCount
      maxScore
      pageInfo { endCursor hasNextPage }
      nodes { score stillSought { fen } reasons { code points zh en text } project { id titleZh stage } }
    }
  }
`;

interface MatchNode {
  score: number;
  stillSought: { fen: number } | null;
  reasons: { code: string; points: number; zh: string; en: string; text: string }[];
  project: { id: string; titleZh: string; stage: string };
}
interface MatchPage {
  totalCount: number;
  maxScore: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  nodes: MatchNode[];
}

describe.each<Topology>(['all-in-one', 'distributed'])('matching projects for foundations, %s', (topology) => {
  let hub: TestHub;
  let tokens: { shaanxi: string; jiangsu: string; member: string };
  const ids: Record<string, string> = {};
  let key = 0;

  async function raise(name: string, countyCode: string, field: string, amountFen: number | null): Promise<string> {
    const result = await hub.query(
      `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
      { input: { countyCode, titleZh: `匹配测试 ${name}`, field, amountSought: amountFen === null ? null : { fen: amountFen } } },
      { token: tokens.shaanxi },
    );
    expect(result.errors).toBeUndefined();
    ids[name] = result.data!.raiseProjectNeed.id;
    return ids[name]!;
  }

  async function pledge(projectId: string, fen: number) {
    const result = await hub.query(
      `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
      { input: { projectId, organizationId: FOUNDATION, amount: { fen }, idempotencyKey: `matching-pledge-${topology}-${(key += 1)}` } },
      { token: tokens.member },
    );
    expect(result.errors).toBeUndefined();
  }

  const publish = (id: string) => moveThrough(hub, id, ['PUBLISHED'], tokens.shaanxi);

  async function matches(variables: Record<string, unknown>, token?: string) {
    const result = await hub.query<{ matchProjects: MatchPage }>(MATCHES, { criteria: CRITERIA, ...variables }, { token });
    return result;
  }

  beforeAll(async () => {
    hub = await startTestHub(topology);
    tokens = {
      shaanxi: await hub.token('SHAANXI_OFFICE'),
      jiangsu: await hub.token('JIANGSU_OFFICE'),
      member: await hub.token('FOUNDATION_MEMBER', FOUNDATION),
    };
    // Open for funding.
    await publish(await raise('A', '610927', 'EDUCATION', 30_000_000)); // 镇坪, 300,000 yuan
    const b = await raise('B', '610924', 'EDUCATION', 120_000_000); // 紫阳, 1,200,000 yuan
    await publish(b);
    await pledge(b, 20_000_000); // still seeks 1,000,000 yuan: above the largest grant
    await moveThrough(hub, b, ['MATCHED'], tokens.jiangsu, { organizationId: FOUNDATION });
    await publish(await raise('G', '610926', 'EDUCATION', 40_000_000)); // 平利, 400,000 yuan
    await publish(await raise('H', '610925', 'EDUCATION', 25_000_000)); // 岚皋, 250,000 yuan
    await publish(await raise('I', '610902', 'EDUCATION', 25_000_000)); // 汉滨, 250,000 yuan
    await publish(await raise('C', '610621', 'EDUCATION', 20_000_000)); // 延长 (延安), 200,000 yuan
    await publish(await raise('D', '610927', 'INDUSTRY', 5_000_000)); // 镇坪, 50,000 yuan: below the smallest grant
    await publish(await raise('E', '610929', 'MEDICAL_AID', null)); // 白河, amount not stated
    await publish(await raise('F', '610124', 'INDUSTRY', 30_000_000)); // 周至 (西安), 300,000 yuan
    // Never open for funding, though each would score high.
    await raise('draft', '610927', 'EDUCATION', 30_000_000);
    const pledgedInFull = await raise('pledgedInFull', '610927', 'EDUCATION', 10_000_000);
    await publish(pledgedInFull);
    await pledge(pledgedInFull, 10_000_000);
    await moveThrough(hub, await raise('suspended', '610927', 'EDUCATION', 30_000_000), ['PUBLISHED', 'SUSPENDED'], tokens.shaanxi);
    await moveThrough(hub, await raise('cancelled', '610927', 'EDUCATION', 30_000_000), ['PUBLISHED', 'CANCELLED'], tokens.shaanxi);
    await moveThrough(hub, await raise('draftSuspended', '610927', 'EDUCATION', 30_000_000), ['SUSPENDED'], tokens.shaanxi);
  });
  afterAll(() => hub?.stop());

  /** H and I tie on score and on what they still seek: the smaller id comes first. */
  const tied = () => [ids.H!, ids.I!].sort();

  it('ranks the first page by the score worked out by hand, with its reasons', async () => {
    const result = await matches({ first: 4 });
    expect(result.errors).toBeUndefined();
    const page = result.data!.matchProjects;
    expect(page.totalCount).toBe(9);
    expect(page.maxScore).toBe(MAX_SCORE);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.nodes.map((node) => node.project.id)).toEqual([ids.A, ids.B, ...tied()]);
    expect(page.nodes.map((node) => node.score)).toEqual([105, 100, 95, 95]);
    expect(page.nodes.map((node) => node.stillSought?.fen ?? null)).toEqual([30_000_000, 100_000_000, 25_000_000, 25_000_000]);
    const [a, b] = page.nodes as [MatchNode, MatchNode];
    expect(a.reasons).toEqual([
      { code: 'FIELD', points: 40, zh: '领域：教育', en: 'field: education', text: '领域：教育 / field: education' },
      { code: 'PREFERRED_COUNTY', points: 30, zh: '您关注的县区：镇坪县', en: 'a county you prefer: Zhenping', text: '您关注的县区：镇坪县 / a county you prefer: Zhenping' },
      { code: 'PAIRED_CITY', points: 20, zh: '结对城市：常州 → 安康', en: 'paired city: Changzhou → Ankang', text: '结对城市：常州 → 安康 / paired city: Changzhou → Ankang' },
      {
        code: 'GRANT_RANGE',
        points: 15,
        zh: '缺口 30 万元，在您的单笔范围内',
        en: 'gap 300,000 yuan fits your grant range',
        text: '缺口 30 万元，在您的单笔范围内 / gap 300,000 yuan fits your grant range',
      },
    ]);
    expect(b.reasons.map((reason) => [reason.code, reason.points])).toEqual([
      ['FIELD', 40],
      ['PREFERRED_PREFECTURE', 20],
      ['PAIRED_CITY', 20],
      ['DEEP_POVERTY', 15],
      ['PARTIAL_GRANT', 5],
    ]);
    expect(b.reasons.at(-1)!.text).toBe('缺口 100 万元，超出您的单笔上限，可资助其中一部分 / gap 1,000,000 yuan is above your largest grant: you could fund part of it');
    for (const node of page.nodes) expect(node.score).toBe(node.reasons.reduce((sum, reason) => sum + reason.points, 0));
  });

  it('goes on from the cursor on the second page, and the pages hold every open project once', async () => {
    const first = (await matches({ first: 4 })).data!.matchProjects;
    const second = await matches({ first: 4, after: first.pageInfo.endCursor });
    expect(second.errors).toBeUndefined();
    const page = second.data!.matchProjects;
    expect(page.nodes.map((node) => node.project.id)).toEqual([ids.G, ids.C, ids.D, ids.E]);
    expect(page.nodes.map((node) => node.score)).toEqual([95, 65, 50, 40]);
    expect(page.nodes.map((node) => node.reasons.map((reason) => reason.code))).toEqual([
      ['FIELD', 'PREFERRED_PREFECTURE', 'PAIRED_CITY', 'GRANT_RANGE'],
      ['FIELD', 'GRANT_RANGE', 'REVOLUTIONARY_OLD_AREA'],
      ['PREFERRED_COUNTY', 'PAIRED_CITY'],
      ['PREFERRED_PREFECTURE', 'PAIRED_CITY'],
    ]);
    expect(page.nodes.at(-1)!.stillSought).toBeNull();
    expect(page.pageInfo.hasNextPage).toBe(true);
    const third = (await matches({ first: 4, after: page.pageInfo.endCursor })).data!.matchProjects;
    expect(third.nodes.map((node) => [node.project.id, node.score])).toEqual([[ids.F, 15]]);
    expect(third.pageInfo.hasNextPage).toBe(false);
    const all = (await matches({ first: 100 })).data!.matchProjects.nodes.map((node) => node.project.id);
    expect([...first.nodes, ...page.nodes, ...third.nodes].map((node) => node.project.id)).toEqual(all);
  });

  it('never offers a draft, a project pledged in full, a suspended or a cancelled one, to anyone', async () => {
    const closed = [ids.draft, ids.pledgedInFull, ids.suspended, ids.cancelled, ids.draftSuspended];
    for (const token of [undefined, tokens.member, tokens.jiangsu, tokens.shaanxi]) {
      const result = await matches({ first: 100 }, token);
      expect(result.errors).toBeUndefined();
      const offered = result.data!.matchProjects.nodes.map((node) => node.project.id);
      expect(offered).toHaveLength(9);
      for (const id of closed) expect(offered).not.toContain(id);
    }
  });

  it('goes on from the place where the last page ended, when the project there has left the list', async () => {
    // 紫阳, education, 300,000 yuan: FIELD 40 + PREFERRED_PREFECTURE 20 + PAIRED_CITY 20 + DEEP_POVERTY 15 + GRANT_RANGE 15.
    const before = await raise('before', '610924', 'EDUCATION', 30_000_000);
    // 镇坪, education, 200,000 yuan: 105 as A, but seeking less, so just before it.
    const atCursor = await raise('atCursor', '610927', 'EDUCATION', 20_000_000);
    await publish(before);
    await publish(atCursor);
    const first = (await matches({ first: 2 })).data!.matchProjects;
    expect(first.nodes.map((node) => [node.project.id, node.score])).toEqual([
      [before, 110],
      [atCursor, 105],
    ]);
    try {
      // The project the cursor names is pledged in full between the two requests and leaves the
      // list: the next page still starts after its place, with A (an offset would skip A).
      await pledge(atCursor, 20_000_000);
      const second = (await matches({ first: 2, after: first.pageInfo.endCursor })).data!.matchProjects;
      expect(second.nodes.map((node) => node.project.id)).toEqual([ids.A, ids.B]);
    } finally {
      // Out of the list again, for the other tests.
      await moveThrough(hub, atCursor, ['CANCELLED'], tokens.shaanxi);
      await moveThrough(hub, before, ['CANCELLED'], tokens.shaanxi);
    }
  });

  it('filters by field, stage, score and kind of record', async () => {
    const ofField = (await matches({ filter: { field: 'INDUSTRY' } })).data!.matchProjects;
    expect(ofField.nodes.map((node) => node.project.id)).toEqual([ids.D, ids.F]);
    const matched = (await matches({ filter: { stages: ['MATCHED'] } })).data!.matchProjects;
    expect(matched.nodes.map((node) => node.project.id)).toEqual([ids.B]);
    const good = (await matches({ filter: { minimumScore: 95 } })).data!.matchProjects;
    expect(good.totalCount).toBe(5);
    const ofCounty = (await matches({ filter: { countyCode: '610927' } })).data!.matchProjects;
    expect(ofCounty.nodes.map((node) => node.project.id)).toEqual([ids.A, ids.D]);
    const demo = (await matches({ filter: { provenance: ['SYNTHETIC_DEMO'] } })).data!.matchProjects;
    expect(demo.totalCount).toBe(0);
  });

  it('ranks a foundation\'s matches from its giving profile exactly as from the same criteria inline, for those who may read it', async () => {
    const created = await hub.query(
      `mutation { createJiangsuOrganization(input: { nameZh: "匹配测试常州基金会", kind: FOUNDATION, cityCode: "320400" }) { id } }`,
      {},
      { token: tokens.jiangsu },
    );
    const foundation = created.data!.createJiangsuOrganization.id as string;
    const member = await hub.token('FOUNDATION_MEMBER', foundation);
    const { pairedWithCityCode: _, prefectureCodes, countyCodes, ...rest } = CRITERIA;
    const set = await hub.query(
      `mutation ($input: GivingProfileInput!) { setGivingProfile(input: $input) { version pairedCity { code } } }`,
      // Private; its own city, 常州, counts by default.
      { input: { organizationId: foundation, expectedVersion: 0, preferredPrefectureCodes: prefectureCodes, preferredCountyCodes: countyCodes, ...rest } },
      { token: member },
    );
    expect(set.data!.setGivingProfile).toEqual({ version: 1, pairedCity: { code: '320400' } });
    const ofProfile = (token: string | undefined, after?: string | null) =>
      hub.query<{ jiangsuOrganization: { matches: MatchPage | null } }>(
        `query ($id: ID!, $after: String) {
          jiangsuOrganization(id: $id) {
            matches(first: 4, after: $after) {
              totalCount maxScore pageInfo { endCursor hasNextPage }
              nodes { score stillSought { fen } reasons { code points zh en text } project { id titleZh stage } }
            }
          }
        }`,
        { id: foundation, after },
        { token },
      );
    for (const token of [member, tokens.jiangsu, tokens.shaanxi]) {
      const first = await ofProfile(token);
      expect(first.errors).toBeUndefined();
      const inline = (await matches({ first: 4 })).data!.matchProjects;
      expect(first.data!.jiangsuOrganization.matches).toEqual(inline);
      const second = await ofProfile(token, inline.pageInfo.endCursor);
      expect(second.data!.jiangsuOrganization.matches).toEqual((await matches({ first: 4, after: inline.pageInfo.endCursor })).data!.matchProjects);
    }
    // Another foundation and the public are told there is no profile they may read.
    for (const token of [tokens.member, undefined]) {
      const refused = await ofProfile(token);
      expect(refused.data!.jiangsuOrganization.matches).toBeNull();
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('refuses criteria, filters and cursors that are not ones, naming what is wrong', async () => {
    const refusal = async (variables: Record<string, unknown>) => {
      const result = await hub.query(MATCHES, { criteria: CRITERIA, ...variables });
      expect(result.data).toBeNull();
      return result.errors![0]!;
    };
    const jiangsuCounty = await refusal({ criteria: { ...CRITERIA, countyCodes: ['320585'] } });
    expect(jiangsuCounty.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.countyCodes[0]' });
    const upsideDown = await refusal({ criteria: { ...CRITERIA, smallestGrant: { fen: 60_000_000 } } });
    expect(upsideDown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.smallestGrant' });
    const twice = await refusal({ criteria: { ...CRITERIA, countyCodes: ['610927', '610927'] } });
    expect(twice.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.countyCodes[1]' });
    const free = await refusal({ criteria: { ...CRITERIA, smallestGrant: { fen: 0 } } });
    expect(free.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.smallestGrant.fen' });
    const noLanguage = await refusal({ criteria: { ...CRITERIA, reportingLanguages: [] } });
    expect(noLanguage.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.reportingLanguages' });
    const notACity = await refusal({ criteria: { ...CRITERIA, pairedWithCityCode: '610900' } });
    expect(notACity.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'criteria.pairedWithCityCode' });
    const jiangsuPlace = await refusal({ filter: { countyCode: '320506' } });
    expect(jiangsuPlace.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.countyCode' });
    const prefectureAsCounty = await refusal({ filter: { countyCode: '610900' } });
    expect(prefectureAsCounty.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.countyCode' });
    const signed = await refusal({ filter: { stages: ['SIGNED'] } });
    expect(signed.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.stages' });
    const negative = await refusal({ filter: { minimumScore: -1 } });
    expect(negative.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.minimumScore' });
    const pipelineCursor = Buffer.from(`2020-01-01T00:00:00.000Z|${ids.A}`).toString('base64url');
    expect((await refusal({ after: pipelineCursor })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect((await refusal({ first: 101 })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('scores English material only for a foundation that does not take Chinese reports', async () => {
    const withEnglish = await raise('english', '610124', 'OTHER', 30_000_000);
    await hub.query(
      `mutation ($id: ID!) { updateProjectNeed(id: $id, expectedVersion: 1, input: { titleEn: "Test need with an English title" }) { id } }`,
      { id: withEnglish },
      { token: tokens.shaanxi },
    );
    await publish(withEnglish);
    try {
    const englishOnly = { fields: [], reportingLanguages: ['EN'] };
    const english = (await hub.query<{ matchProjects: MatchPage }>(MATCHES, { criteria: englishOnly, first: 100 })).data!.matchProjects;
    expect(english.maxScore).toBe(5);
    expect(english.nodes[0]!.project.id).toBe(withEnglish);
    expect(english.nodes[0]!.reasons).toEqual([
      expect.objectContaining({ code: 'REPORTING_LANGUAGE', points: 5, text: '有英文资料，可用英文报告 / English material: can report in English' }),
    ]);
    expect(english.nodes.slice(1).every((node) => node.score === 0)).toBe(true);
    const both = (await hub.query<{ matchProjects: MatchPage }>(MATCHES, { criteria: { ...englishOnly, reportingLanguages: ['ZH', 'EN'] } })).data!
      .matchProjects;
    expect(both.maxScore).toBe(0);
    expect(both.nodes.every((node) => node.score === 0)).toBe(true);
    } finally {
      await moveThrough(hub, withEnglish, ['CANCELLED'], tokens.shaanxi);
    }
  });
});

describe('the cost of matching', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  // Each ranking reads every open project, whatever page it returns: @cost(weight: 500) on the
  // field, composed into the supergraph, against the gateway's limit of 10,000.
  const rankings = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `r${i}: matchProjects(criteria: { fields: [EDUCATION], smallestGrant: { fen: ${i + 1} } }, first: 1) { totalCount }`).join(' ')} }`;

  it('lets an operation rank up to what its cost allows, and refuses more', async () => {
    expect((await hub.query(rankings(19))).errors).toBeUndefined();
    const refused = await hub.query(rankings(20));
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', reason: 'COST_LIMIT' });
  });

  it('still lets a list of foundations show their matches, which a request ranks together', async () => {
    const office = await hub.token('JIANGSU_OFFICE');
    const result = await hub.query(`{ jiangsuOrganizations { id matches(first: 50) { totalCount nodes { score project { id titleZh } } } } }`, {}, { token: office });
    expect(result.errors?.every((error) => error.extensions?.code === 'NOT_FOUND')).toBe(true);
  });
});

describe('a need Shaanxi holds as a draft', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it('is not matched even where the pipeline has published it: Shaanxi has the last word', async () => {
    const shaanxi = await hub.token('SHAANXI_OFFICE');
    const raised = await hub.query(
      `mutation { raiseProjectNeed(input: { countyCode: "610927", titleZh: "草稿测试", field: EDUCATION, amountSought: { fen: 30000000 } }) { id } }`,
      {},
      { token: shaanxi },
    );
    const id = raised.data!.raiseProjectNeed.id as string;
    await moveThrough(hub, id, ['PUBLISHED'], shaanxi);
    const offered = async () =>
      (await hub.query<{ matchProjects: MatchPage }>(MATCHES, { criteria: CRITERIA, first: 100 })).data!.matchProjects.nodes.map(
        (node) => node.project.id,
      );
    expect(await offered()).toContain(id);
    // Only a fault could leave the two subgraphs disagreeing; the need's own subgraph decides then.
    await hub.database.db.execute(sql`update shaanxi.project_need set published_at = null where id = ${id}::uuid`);
    expect(await offered()).not.toContain(id);
  });
});
