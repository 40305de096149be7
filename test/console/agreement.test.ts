import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, sumOfYuan, type ConsoleBrowser } from './browser.ts';

/** The real agreement of the public record, and the demo data's fictional one. */
const REAL = 'su-shaan-social-organizations-2017';
const DEMO = 'demo-agreement';

/** The dashboard's figures, asked of the API by hand. */
const TRACKING = `query Tracking($id: ID!, $kinds: [ProvenanceKind!]) {
  agreement(id: $id) {
    titleZh
    titleEn
    termYearList
    ceremonies { id titleZh heldOn declaredProjectCount declaredTotal { yuan } provenance { kind } }
    tracking(provenance: $kinds) {
      term { ...Period }
      years { ...Period }
      coverage {
        povertyCounties { ...Coverage }
        deepPovertyCounties { ...Coverage }
        revolutionaryOldAreaCounties { ...Coverage }
      }
      organizationRule { minimum countiesMeeting countiesShort { county { code nameZh } organizations short } }
    }
  }
}
fragment Count on CountProgress { target actual shareReached }
fragment Amount on MoneyProgress { target { yuan } actual { yuan } shareReached }
fragment Coverage on CoverageCount { known reached unknown reachedAmongUnknown }
fragment Figures on ProgressFigures { projectsSigned committed { yuan } disbursed { yuan } }
fragment Period on PeriodProgress {
  year
  projectsSigned { ...Count }
  committed { ...Amount }
  disbursed { ...Amount }
  countiesReached { ...Count }
  shaanxiOrganizations { ...Count }
  jiangsuOrganizations { ...Count }
  byPrefecture { prefecture { code nameZh } figures { ...Figures } }
  byField { field figures { ...Figures } }
  byFocus { focus { position } figures { ...Figures } }
  byOrganization { organization { id nameZh } figures { ...Figures } }
}`;

const AGREEMENTS = `query Agreements($kinds: [ProvenanceKind!]) { agreements(provenance: $kinds) { id titleZh provenance { kind } } }`;

const SET_TARGET = `mutation SetTarget($input: SetAgreementTargetInput!) { setAgreementTarget(input: $input) { year version } }`;

interface Count {
  target: number | null;
  actual: number;
  shareReached: number | null;
}
interface Amount {
  target: { yuan: string } | null;
  actual: { yuan: string };
  shareReached: number | null;
}
interface Figures {
  projectsSigned: number;
  committed: { yuan: string };
  disbursed: { yuan: string };
}
interface Period {
  year: number | null;
  projectsSigned: Count;
  committed: Amount;
  disbursed: Amount;
  countiesReached: Count;
  shaanxiOrganizations: Count;
  jiangsuOrganizations: Count;
  byPrefecture: { prefecture: { code: string; nameZh: string }; figures: Figures }[];
  byField: { field: string; figures: Figures }[];
  byFocus: { focus: { position: number } | null; figures: Figures }[];
  byOrganization: { organization: { id: string; nameZh: string }; figures: Figures }[];
}
interface CoverageCount {
  known: number;
  reached: number;
  unknown: number;
  reachedAmongUnknown: number;
}
interface TrackingAnswer {
  agreement: {
    titleZh: string;
    titleEn: string | null;
    termYearList: number[];
    ceremonies: { id: string; titleZh: string; heldOn: string; declaredProjectCount: number; declaredTotal: { yuan: string }; provenance: { kind: string } }[];
    tracking: {
      term: Period;
      years: Period[];
      coverage: { povertyCounties: CoverageCount; deepPovertyCounties: CoverageCount; revolutionaryOldAreaCounties: CoverageCount };
      organizationRule: { minimum: number; countiesMeeting: number; countiesShort: { county: { code: string; nameZh: string }; organizations: number; short: number }[] };
    };
  };
}

const COUNT_MEASURES = ['projectsSigned', 'countiesReached', 'shaanxiOrganizations', 'jiangsuOrganizations'] as const;
const MONEY_MEASURES = ['committed', 'disbursed'] as const;

/** A count as the page writes it in Chinese (zh-CN grouping). */
const zhCount = (count: number) => count.toLocaleString('zh-CN');
/** The test's own percent of a share: one decimal place. */
const percentOf = (share: number) => `${(Math.round(share * 1000) / 10).toFixed(1)}%`;

/** Checks one progress figure on the page (a term card or a year's cell) against the API's. */
async function checkProgress(page: Page, testId: string, measure: string, period: Period): Promise<void> {
  const figure = page.getByTestId(testId);
  const target = figure.locator('[data-part="target"]');
  const actual = figure.locator('[data-part="actual"]');
  if ((MONEY_MEASURES as readonly string[]).includes(measure)) {
    const money = period[measure as (typeof MONEY_MEASURES)[number]];
    expect(await actual.locator('.money').getAttribute('data-yuan'), `${testId} actual`).toBe(money.actual.yuan);
    if (money.target) expect(await target.locator('.money').getAttribute('data-yuan'), `${testId} target`).toBe(money.target.yuan);
    else expect(await target.innerText(), `${testId} target`).toBe('未设目标');
  } else {
    const count = period[measure as (typeof COUNT_MEASURES)[number]];
    expect(await actual.innerText(), `${testId} actual`).toBe(zhCount(count.actual));
    expect(await target.innerText(), `${testId} target`).toBe(count.target === null ? '未设目标' : zhCount(count.target));
  }
  const { shareReached } = period[measure as 'projectsSigned'];
  if (shareReached !== null) expect(await figure.locator('[data-part="share"]').innerText(), `${testId} share`).toBe(percentOf(shareReached));
}

/** A breakdown's table rows on the page, by their key: the projects and the exact money. */
async function tableRows(page: Page, testId: string): Promise<Record<string, { name: string; projects: string; committed: string | null; disbursed: string | null }>> {
  const rows = page.getByTestId(testId).locator('tbody tr');
  const found: Record<string, { name: string; projects: string; committed: string | null; disbursed: string | null }> = {};
  for (let index = 0; index < (await rows.count()); index += 1) {
    const row = rows.nth(index);
    found[(await row.getAttribute('data-key'))!] = {
      name: await row.locator('th').innerText(),
      projects: await row.locator('[data-part="projects"]').innerText(),
      committed: await row.locator('[data-part="committed"] .money').getAttribute('data-yuan'),
      disbursed: await row.locator('[data-part="disbursed"] .money').getAttribute('data-yuan'),
    };
  }
  return found;
}

/** Every figure of an agreement's dashboard, as open in the page, against the API's answer. */
async function checkDashboard(console: ConsoleBrowser, answer: TrackingAnswer['agreement']): Promise<void> {
  const page = console.page;
  const { tracking } = answer;
  expect(await page.getByTestId('agreement-title').innerText()).toBe(answer.titleZh);

  // The whole term, and each year of it: target, actual, share reached.
  for (const measure of [...COUNT_MEASURES, ...MONEY_MEASURES]) await checkProgress(page, `term-${measure}`, measure, tracking.term);
  expect(tracking.years.map((year) => year.year)).toEqual(answer.termYearList);
  expect(await page.getByTestId('year-progress').locator('thead th[scope="col"]').count()).toBe(1 + tracking.years.length);
  for (const period of tracking.years) {
    for (const measure of [...COUNT_MEASURES, ...MONEY_MEASURES]) await checkProgress(page, `year-${period.year}-${measure}`, measure, period);
  }

  // The breakdowns: each a chart with a name and, under it, a table of the same figures.
  const expectRows = (rows: { key: string; name?: string; figures: Figures }[]) =>
    Object.fromEntries(
      rows.map((row) => [
        row.key,
        { ...(row.name ? { name: row.name } : {}), projects: zhCount(row.figures.projectsSigned), committed: row.figures.committed.yuan, disbursed: row.figures.disbursed.yuan },
      ]),
    );
  const withoutNames = (rows: Awaited<ReturnType<typeof tableRows>>) => Object.fromEntries(Object.entries(rows).map(([key, { name: _name, ...rest }]) => [key, rest]));
  const breakdowns = [
    ['by-prefecture', tracking.term.byPrefecture.map((row) => ({ key: row.prefecture.code, name: row.prefecture.nameZh, figures: row.figures }))],
    ['by-field', tracking.term.byField.map((row) => ({ key: row.field, figures: row.figures }))],
    ['by-focus', tracking.term.byFocus.map((row) => ({ key: row.focus ? String(row.focus.position) : 'none', figures: row.figures }))],
    ['by-organization', tracking.term.byOrganization.map((row) => ({ key: row.organization.id, name: row.organization.nameZh, figures: row.figures }))],
  ] as const;
  if (breakdowns.every(([, rows]) => rows.length === 0)) expect(await page.getByTestId('no-breakdowns').count()).toBe(1);
  for (const [testId, rows] of breakdowns) {
    if (rows.length === 0) continue;
    const shown = await tableRows(page, `${testId}-table`);
    if (rows.some((row) => 'name' in row)) expect(shown, testId).toEqual(expectRows(rows as { key: string; name?: string; figures: Figures }[]));
    else expect(withoutNames(shown), testId).toEqual(expectRows(rows as { key: string; figures: Figures }[]));
    const total = page.getByTestId(`${testId}-table`).locator('tfoot');
    expect(await total.locator('[data-part="committed"] .money').getAttribute('data-yuan'), `${testId} total`).toBe(sumOfYuan(rows.map((row) => row.figures.committed.yuan)));
    expect(await total.locator('[data-part="disbursed"] .money').getAttribute('data-yuan'), `${testId} total`).toBe(sumOfYuan(rows.map((row) => row.figures.disbursed.yuan)));
    const chart = page.getByTestId(`${testId}-chart`);
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toMatch(/柱状图/);
  }

  // County coverage.
  const coverage = page.getByTestId('coverage');
  for (const [key, count] of [
    ['poverty', tracking.coverage.povertyCounties],
    ['deep-poverty', tracking.coverage.deepPovertyCounties],
    ['old-area', tracking.coverage.revolutionaryOldAreaCounties],
  ] as const) {
    const row = coverage.locator(`tr[data-key="${key}"]`);
    expect(await row.locator('[data-part="known"]').innerText(), `${key} known`).toBe(zhCount(count.known));
    expect((await row.locator('[data-part="reached"]').innerText()).split(/\s/)[0], `${key} reached`).toBe(zhCount(count.reached));
    expect(await row.locator('[data-part="unknown"]').innerText(), `${key} unknown`).toBe(zhCount(count.unknown));
    expect(await row.locator('[data-part="reached-among-unknown"]').innerText(), `${key} reached among unknown`).toBe(zhCount(count.reachedAmongUnknown));
  }

  // The 5-organization rule.
  const rule = tracking.organizationRule;
  expect(await page.getByTestId('rule-minimum').innerText()).toBe(zhCount(rule.minimum));
  expect(await page.getByTestId('rule-meeting').innerText()).toBe(zhCount(rule.countiesMeeting));
  expect(await page.getByTestId('rule-short').innerText()).toBe(zhCount(rule.countiesShort.length));
  const shortRows = page.getByTestId('counties-short').locator('tbody tr');
  expect(await shortRows.count()).toBe(rule.countiesShort.length);
  for (const [index, { county, organizations, short }] of rule.countiesShort.entries()) {
    const row = shortRows.nth(index);
    expect(await row.getAttribute('data-key')).toBe(county.code);
    expect(await row.locator('th').innerText()).toBe(county.nameZh);
    expect(await row.locator('th a').getAttribute('href')).toBe(`/counties/${county.code}`);
    expect(await row.locator('[data-part="organizations"]').innerText()).toBe(zhCount(organizations));
    expect(await row.locator('[data-part="short"]').innerText()).toBe(zhCount(short));
  }

  // The ceremonies under it, each linking to its page, and their totals.
  const ceremonies = page.getByTestId('ceremonies');
  expect(await ceremonies.locator('tbody tr').count()).toBe(answer.ceremonies.length);
  for (const ceremony of answer.ceremonies) {
    const row = ceremonies.locator(`tbody tr[data-key="${ceremony.id}"]`);
    expect(await row.locator('th a').innerText()).toBe(ceremony.titleZh);
    expect(await row.locator('th a').getAttribute('href')).toBe(`/ceremonies/${ceremony.id}`);
    expect(await row.locator('[data-part="count"]').innerText()).toBe(zhCount(ceremony.declaredProjectCount));
    expect(await row.locator('[data-part="total"] .money').getAttribute('data-yuan')).toBe(ceremony.declaredTotal.yuan);
    expect(await row.locator('[data-provenance]').getAttribute('data-provenance')).toBe(ceremony.provenance.kind);
  }
  const totals = ceremonies.locator('tfoot');
  expect(await totals.locator('[data-part="count"]').innerText()).toBe(zhCount(answer.ceremonies.reduce((total, ceremony) => total + ceremony.declaredProjectCount, 0)));
  expect(await totals.locator('[data-part="total"] .money').getAttribute('data-yuan')).toBe(sumOfYuan(answer.ceremonies.map((ceremony) => ceremony.declaredTotal.yuan)));
}

describe.skipIf(!hasChromium)(skippedTitle('the agreement dashboard in Chromium'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    // With the synthetic demo records: the demo agreement has targets and itemized projects.
    console = await startConsoleBrowser({ DEMO_DATA: 'true' });
    // A figure missing from the page fails its check at once rather than at the test's timeout.
    console.page.setDefaultTimeout(5_000);
    // The Shaanxi office sets targets for the real agreement: for its term and its first two years.
    const token = await console.hub.token('SHAANXI_OFFICE');
    const { agreement } = await console.api<{ agreement: { termYearList: number[] } }>(`query { agreement(id: "${REAL}") { termYearList } }`);
    const [first, second] = agreement.termYearList;
    for (const input of [
      { year: null, projectsSigned: 47, committed: { fen: 2_000_000_000 }, disbursed: { fen: 1_000_000_000 }, countiesReached: 20, shaanxiOrganizations: 10, jiangsuOrganizations: 8 },
      { year: first, projectsSigned: 15, committed: { fen: 650_000_000 }, countiesReached: 4 },
      { year: second, projectsSigned: 16, committed: { fen: 700_000_000 }, disbursed: { fen: 300_000_000 } },
    ]) {
      await console.api(SET_TARGET, { input: { agreementId: REAL, expectedVersion: 0, ...input } }, token);
    }
  }, 120_000);
  afterAll(() => console?.close());

  it('shows the real agreement at /: its targets and actual figures, coverage, the 5-organization rule and its ceremonies, as the API gives them', async () => {
    const { agreement } = await console.api<TrackingAnswer>(TRACKING, { id: REAL });
    // The domain: the first ceremony, Xi'an 2017-12-28, declared 15 projects for 6.5 million yuan.
    const xian = agreement.ceremonies.find((ceremony) => ceremony.id === '2017-12-28-xian')!;
    expect(xian.declaredProjectCount).toBe(15);
    expect(Number(xian.declaredTotal.yuan)).toBe(6_500_000);
    expect(agreement.tracking.term.projectsSigned.target).toBe(47);

    await console.open('/');
    await checkDashboard(console, agreement);
    expect(await console.page.getByRole('navigation').getByRole('link', { name: '协议' }).getAttribute('aria-current')).toBe('page');
    expect(await console.accessibilityViolations()).toEqual([]);
    expect(console.problems).toEqual([]);
  });

  it('shows the demo agreement at /agreements/demo-agreement with its charts, every figure as the API gives it, each record with its provenance', async () => {
    const { agreement } = await console.api<TrackingAnswer>(TRACKING, { id: DEMO });
    // The demo data itemizes projects: the breakdowns have something to show.
    expect(agreement.tracking.term.byPrefecture.length).toBeGreaterThan(0);
    expect(agreement.tracking.term.byOrganization.length).toBeGreaterThan(0);

    await console.open(`/agreements/${DEMO}`);
    const page = console.page;
    await checkDashboard(console, agreement);
    expect(await page.getByTestId('agreement-title').locator('..').locator('[data-provenance]').getAttribute('data-provenance')).toBe('SYNTHETIC_DEMO');
    expect(await page.getByTestId('by-prefecture-table').locator('tbody [data-provenance]').count()).toBe(agreement.tracking.term.byPrefecture.length);
    expect(await page.getByTestId('by-organization-table').locator('tbody [data-provenance]').count()).toBe(agreement.tracking.term.byOrganization.length);
    expect(await page.getByTestId('counties-short').locator('tbody [data-provenance]').count()).toBe(agreement.tracking.organizationRule.countiesShort.length);

    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('agreement');
    expect(console.problems).toEqual([]);
  });

  it('lists the agreements at /agreements, each linking to its dashboard; the demo filter hides the demo one', async () => {
    const all = (await console.api<{ agreements: { id: string; titleZh: string; provenance: { kind: string } }[] }>(AGREEMENTS)).agreements;
    const real = (await console.api<{ agreements: { id: string; titleZh: string }[] }>(AGREEMENTS, { kinds: ['PUBLIC_RECORD', 'ENTERED'] })).agreements;
    expect(all.map((agreement) => agreement.id).sort()).toEqual([DEMO, REAL].sort());
    const page = console.page;
    await console.open('/agreements');
    const links = page.getByTestId('agreements').locator('tbody th a');
    expect((await links.allInnerTexts()).sort()).toEqual(all.map((agreement) => agreement.titleZh).sort());
    expect(await page.getByTestId('agreements').locator('tbody [data-provenance]').count()).toBe(all.length);

    await page.getByLabel('显示演示数据').uncheck();
    await console.settled();
    expect(await links.allInnerTexts()).toEqual(real.map((agreement) => agreement.titleZh));
    await page.getByLabel('显示演示数据').check();
    await console.settled();

    await links.filter({ hasText: all.find((agreement) => agreement.id === DEMO)!.titleZh }).click();
    await console.settled();
    expect(new URL(page.url()).pathname).toBe(`/agreements/${DEMO}`);
    expect(await page.getByTestId('agreement-title').innerText()).toBe(all.find((agreement) => agreement.id === DEMO)!.titleZh);
    expect(console.problems).toEqual([]);
  });

  it('switches to English: the dashboard speaks English', async () => {
    const page = console.page;
    await console.open(`/agreements/${DEMO}`);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => console.lang()).toBe('en');
    const { agreement } = await console.api<TrackingAnswer>(`query { agreement(id: "${DEMO}") { titleEn } }`);
    expect(await page.getByTestId('agreement-title').innerText()).toBe(agreement.titleEn);
    for (const heading of ['Progress over the term', 'Progress by year', 'County coverage', 'Signing ceremonies', 'By prefecture', 'By Jiangsu organization']) {
      expect(await page.getByRole('heading', { name: heading, exact: false }).count(), heading).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('term-projectsSigned').innerText()).toContain('Projects signed');
    expect(await page.getByTestId('by-prefecture-chart').getAttribute('aria-label')).toMatch(/bar chart/);
    expect(await page.getByTestId('coverage').locator('thead').innerText()).toContain('Known');
    expect(await console.accessibilityViolations()).toEqual([]);
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => console.lang()).toBe('zh-CN');
    expect(console.problems).toEqual([]);
  });
});
