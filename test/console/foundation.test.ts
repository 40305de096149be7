import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, type ConsoleBrowser } from './browser.ts';

/** The foundations' figures, asked of the API by hand. */
const FOUNDATIONS = `query Foundations($kinds: [ProvenanceKind!]) {
  jiangsuOrganizations(filter: { kind: FOUNDATION, provenance: $kinds }) { id nameZh givingProfile { public } provenance { kind } }
}`;

const FOUNDATION = `query Foundation($id: ID!) {
  jiangsuOrganization(id: $id) {
    nameZh
    givingProfile { public fields preferredPrefectures { nameZh } pairedCity { nameZh } largestGrant { yuan } }
  }
}`;

const MATCHES = `query Matches($id: ID!, $first: Int!, $after: String) {
  jiangsuOrganization(id: $id) {
    matches(first: $first, after: $after) {
      totalCount
      maxScore
      pageInfo { endCursor hasNextPage }
      nodes { score reasons { code points zh } stillSought { yuan } project { id titleZh } }
    }
  }
}`;

interface MatchPage {
  totalCount: number;
  maxScore: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  nodes: { score: number; reasons: { code: string; points: number; zh: string }[]; stillSought: { yuan: string } | null; project: { id: string; titleZh: string } }[];
}

/** The demo foundations: one with a public giving profile, one that keeps its profile private. */
const PUBLIC_FOUNDATION = 'js-demo-jiangnan-education';
const PRIVATE_FOUNDATION = 'js-demo-huaihe-industry';
/** The page's size: the console shows ten matches at a time. */
const PAGE = 10;

const FIELD_NAMES: Record<string, string> = { EDUCATION: '教育', CHILD_WELFARE: '儿童福利', INDUSTRY: '产业', MEDICAL_AID: '医疗救助', DISABILITY: '助残' };

describe.skipIf(!hasChromium)(skippedTitle('the foundation pages in Chromium'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    // With the synthetic demo records: the demo foundations have giving profiles, public and private.
    console = await startConsoleBrowser({ DEMO_DATA: 'true' });
  }, 120_000);
  afterAll(() => console?.close());

  /** The matches shown, in order: project, score, reasons (text and points), still sought. */
  const shownMatches = () =>
    console.page
      .getByTestId('matches')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => ({
          project: row.querySelector('[data-testid="match-project"]')?.textContent ?? '',
          href: row.querySelector('[data-testid="match-project"] a')?.getAttribute('href') ?? '',
          score: Number(row.querySelector('[data-testid="match-score"]')?.getAttribute('data-score')),
          reasons: [...row.querySelectorAll('[data-testid="match-reasons"] li')].map((item) => [item.getAttribute('data-code'), Number(item.getAttribute('data-points')), item.querySelector('.reason-text')?.textContent ?? '']),
          stillSought: row.querySelector('[data-testid="match-still-sought"] .money')?.getAttribute('data-yuan') ?? null,
        })),
      );
  const expected = (page: MatchPage) =>
    page.nodes.map((match) => ({
      project: match.project.titleZh,
      href: `/projects/${match.project.id}`,
      score: match.score,
      reasons: match.reasons.map((reason) => [reason.code, reason.points, reason.zh]),
      stillSought: match.stillSought?.yuan ?? null,
    }));

  it('lists the Jiangsu foundations the API gives, each with its provenance, and those with a public giving profile on asking', async () => {
    const { jiangsuOrganizations: all } = await console.api<{ jiangsuOrganizations: { id: string; nameZh: string; givingProfile: { public: boolean } | null; provenance: { kind: string } }[] }>(FOUNDATIONS);
    // The domain: the four Jiangsu foundations of the first ceremony are among them.
    expect(all.map((organization) => organization.nameZh)).toEqual(expect.arrayContaining(['江苏省扶贫基金会', '江苏省瑞华慈善基金会', '江苏省同泰慈善基金会', '苏州金螳螂公益慈善基金会']));
    await console.open('/foundations');
    const page = console.page;
    const rows = page.getByTestId('foundations').locator('tbody tr');
    expect(await rows.locator('td:first-child').allInnerTexts()).toEqual(all.map((organization) => organization.nameZh));
    expect(await rows.locator('[data-provenance]').evaluateAll((badges) => badges.map((badge) => badge.getAttribute('data-provenance')))).toEqual(all.map((organization) => organization.provenance.kind));
    expect(await page.getByTestId('foundation-count').innerText()).toBe(`${all.length} 家基金会`);

    const withPublicProfile = all.filter((organization) => organization.givingProfile?.public);
    expect(withPublicProfile.length).toBeGreaterThan(0);
    await page.getByLabel('只看有公开资助意向的').check();
    expect(await rows.locator('td:first-child').allInnerTexts()).toEqual(withPublicProfile.map((organization) => organization.nameZh));
    await page.getByLabel('只看有公开资助意向的').uncheck();
    expect(await console.accessibilityViolations()).toEqual([]);
    expect(console.problems).toEqual([]);
  });

  it('shows a public giving profile and its matches with their reasons, in the API’s order, a page at a time', async () => {
    const { jiangsuOrganization: foundation } = await console.api<{ jiangsuOrganization: { nameZh: string; givingProfile: { public: boolean; fields: string[]; preferredPrefectures: { nameZh: string }[]; pairedCity: { nameZh: string } | null; largestGrant: { yuan: string } | null } } }>(FOUNDATION, { id: PUBLIC_FOUNDATION });
    const first = (await console.api<{ jiangsuOrganization: { matches: MatchPage } }>(MATCHES, { id: PUBLIC_FOUNDATION, first: PAGE })).jiangsuOrganization.matches;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await console.api<{ jiangsuOrganization: { matches: MatchPage } }>(MATCHES, { id: PUBLIC_FOUNDATION, first: PAGE, after: first.pageInfo.endCursor })).jiangsuOrganization.matches;

    await console.open(`/foundations/${PUBLIC_FOUNDATION}`);
    const page = console.page;
    expect(await page.getByTestId('foundation-name').innerText()).toContain(foundation.nameZh);
    const profile = foundation.givingProfile;
    expect(await page.getByTestId('profile-public').innerText()).toBe('公开');
    expect(await page.getByTestId('profile-fields').innerText()).toBe(profile.fields.map((field) => FIELD_NAMES[field]).join('、'));
    expect(await page.getByTestId('profile-prefectures').innerText()).toBe(profile.preferredPrefectures.map((prefecture) => prefecture.nameZh).join('、'));
    expect(await page.getByTestId('profile-paired-city').innerText()).toBe(profile.pairedCity?.nameZh ?? '不计入');
    expect(await page.getByTestId('profile-largest-grant').locator('.money').getAttribute('data-yuan')).toBe(profile.largestGrant?.yuan);
    expect(await page.getByTestId('profile-not-visible').count()).toBe(0);

    expect(await page.getByTestId('match-count').innerText()).toBe(`共 ${first.totalCount} 个项目`);
    expect(await shownMatches()).toEqual(expected(first));
    // Every match has its reasons, and its score is the sum of their points.
    for (const match of first.nodes) expect(match.reasons.reduce((sum, reason) => sum + reason.points, 0)).toBe(match.score);
    expect(await page.getByTestId('matches').locator('tbody [data-provenance]').count()).toBe(first.nodes.length);
    expect(await page.getByTestId('match-range').innerText()).toBe(`第 1–${first.nodes.length} 项，共 ${first.totalCount} 项`);
    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('foundation');

    await page.getByRole('button', { name: '下一页' }).click();
    await expect.poll(() => page.getByTestId('match-range').innerText()).toBe(`第 ${PAGE + 1}–${PAGE + second.nodes.length} 项，共 ${first.totalCount} 项`);
    await console.settled();
    expect(await shownMatches()).toEqual(expected(second));
    await page.getByRole('button', { name: '上一页' }).click();
    await expect.poll(() => page.getByTestId('match-range').innerText()).toBe(`第 1–${first.nodes.length} 项，共 ${first.totalCount} 项`);
    expect(await shownMatches()).toEqual(expected(first));
    expect(console.problems).toEqual([]);
  });

  it('tells the public that a private giving profile and its matches are for the foundation’s members, and shows them to a member signed in', async () => {
    const hidden = await console.api<{ jiangsuOrganization: { givingProfile: unknown } }>(FOUNDATION, { id: PRIVATE_FOUNDATION });
    expect(hidden.jiangsuOrganization.givingProfile).toBeNull();
    const refused = await console.hub.query(MATCHES, { id: PRIVATE_FOUNDATION, first: PAGE });
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const page = console.page;
    await console.open(`/foundations/${PRIVATE_FOUNDATION}`);
    expect(await page.getByTestId('profile-not-visible').innerText()).toContain('只向本组织成员');
    expect(await page.getByTestId('matches').count()).toBe(0);
    expect(await page.getByTestId('profile').count()).toBe(0);
    expect(await console.accessibilityViolations()).toEqual([]);

    const member = await console.hub.token('FOUNDATION_MEMBER', PRIVATE_FOUNDATION);
    const theirs = (await console.api<{ jiangsuOrganization: { matches: MatchPage } }>(MATCHES, { id: PRIVATE_FOUNDATION, first: PAGE }, member)).jiangsuOrganization.matches;
    await page.getByLabel('令牌').fill(member);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('profile').waitFor();
    await console.settled();
    expect(await page.getByTestId('profile-public').innerText()).toBe('不公开（您可查看）');
    expect(await page.getByTestId('profile-not-visible').count()).toBe(0);
    if (theirs.nodes.length > 0) expect(await shownMatches()).toEqual(expected(theirs));
    else expect(await page.getByTestId('matches').count()).toBe(0);
    expect(await page.getByTestId('match-count').innerText()).toBe(`共 ${theirs.totalCount} 个项目`);
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByTestId('profile-not-visible').waitFor();
    expect(console.problems).toEqual([]);
  });

  it('shows the code and message of an unknown organization', async () => {
    await console.open('/foundations/no-such-foundation');
    expect(await console.page.getByRole('alert').locator('.error-code').innerText()).toBe('NOT_FOUND');
    expect(console.problems).toEqual([]);
  });
});
