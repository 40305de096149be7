import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, sumOfYuan, type ConsoleBrowser } from './browser.ts';

/** The ceremonies' figures, asked of the API by hand. */
const CEREMONIES = `query Ceremonies($kinds: [ProvenanceKind!]) {
  ceremonies(provenance: $kinds) { id titleZh heldOn cityNameZh declaredProjectCount declaredTotal { yuan } lineByLine provenance { kind } }
}`;

const PACKAGE = `query Package($ceremonyId: ID!, $version: Int) {
  ceremonyPackage(ceremonyId: $ceremonyId, version: $version) {
    version status contentHash pdfPath
    total { yuan } statedTotal { yuan }
    checks { kind line passed code message }
    lines { position project { id titleZh } county { code nameZh } shaanxiSignatory { nameZh } jiangsuOrganization { nameZh } amount { yuan } }
  }
}`;

const SAVE = `mutation Save($input: SaveCeremonyPackageInput!) { saveCeremonyPackage(input: $input) { version status } }`;

interface CeremonyRow {
  id: string;
  titleZh: string;
  heldOn: string;
  cityNameZh: string;
  declaredProjectCount: number;
  declaredTotal: { yuan: string };
  lineByLine: string;
  provenance: { kind: string };
}

interface PackageAnswer {
  ceremonyPackage: {
    version: number;
    status: string;
    contentHash: string | null;
    pdfPath: string | null;
    total: { yuan: string };
    statedTotal: { yuan: string };
    checks: { kind: string; line: number | null; passed: boolean; code: string | null; message: string }[];
    lines: { position: number; project: { id: string; titleZh: string }; county: { code: string; nameZh: string }; shaanxiSignatory: { nameZh: string }; jiangsuOrganization: { nameZh: string }; amount: { yuan: string } }[];
  };
}

/** The demo ceremony whose package is signed (public), and the one whose package waits, final, for its signing. */
const SIGNED = 'demo-2019-06-18-ankang';
const WAITING = 'demo-2020-09-16-shangluo';

describe.skipIf(!hasChromium)(skippedTitle('the ceremony pages in Chromium'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    // With the synthetic demo records: a signed package and a final one not yet signed.
    console = await startConsoleBrowser({ DEMO_DATA: 'true' });
  }, 120_000);
  afterAll(() => console?.close());

  const signIn = async (token: string) => {
    const page = console.page;
    await page.getByLabel('令牌').fill(token);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    await console.settled();
  };
  const signOut = async () => {
    const page = console.page;
    if ((await page.getByTestId('signed-in-as').count()) > 0) await page.getByRole('button', { name: '退出' }).click();
  };

  it('lists every ceremony with its date, city, declared count and total, among them the first one: Xi’an, 2017-12-28, 15 projects, 6.5 million yuan', async () => {
    const { ceremonies } = await console.api<{ ceremonies: CeremonyRow[] }>(CEREMONIES);
    // The domain (seed/FACTS.md): the first signing ceremony.
    const xian = ceremonies.find((ceremony) => ceremony.heldOn === '2017-12-28');
    expect(xian).toMatchObject({ cityNameZh: '西安市', declaredProjectCount: 15, provenance: { kind: 'PUBLIC_RECORD' } });
    expect(sumOfYuan([xian!.declaredTotal.yuan])).toBe('6500000');

    await console.open('/ceremonies');
    const page = console.page;
    const rows = page.getByTestId('ceremonies').locator('tbody tr');
    expect(await rows.count()).toBe(ceremonies.length);
    expect(await page.getByTestId('ceremony-count').innerText()).toBe(`${ceremonies.length} 场仪式`);
    for (const ceremony of ceremonies) {
      const row = page.locator(`tr[data-ceremony="${ceremony.id}"]`);
      expect(await row.locator('td').first().innerText()).toBe(ceremony.titleZh);
      expect(await row.getByTestId('city').innerText()).toBe(ceremony.cityNameZh);
      expect(await row.getByTestId('declared-count').innerText()).toBe(String(ceremony.declaredProjectCount));
      expect(await row.getByTestId('declared-total').locator('.money').getAttribute('data-yuan')).toBe(ceremony.declaredTotal.yuan);
      expect(await row.locator('[data-provenance]').getAttribute('data-provenance')).toBe(ceremony.provenance.kind);
    }
    const xianRow = page.locator(`tr[data-ceremony="${xian!.id}"]`);
    expect(await xianRow.getByTestId('held-on').innerText()).toBe('2017年12月28日');
    expect(await xianRow.getByTestId('declared-count').innerText()).toBe('15');
    expect(await xianRow.getByTestId('declared-total').innerText()).toBe('6,500,000 元');
    expect(await xianRow.locator('[data-provenance]').innerText()).toBe('公开记录');
    expect(await page.getByTestId('declared-total-sum').locator('.money').getAttribute('data-yuan')).toBe(sumOfYuan(ceremonies.map((ceremony) => ceremony.declaredTotal.yuan)));
    expect(await console.accessibilityViolations()).toEqual([]);

    // Hiding demo records leaves the real ceremony only.
    const real = (await console.api<{ ceremonies: CeremonyRow[] }>(CEREMONIES, { kinds: ['PUBLIC_RECORD', 'ENTERED'] })).ceremonies;
    await page.getByLabel('显示演示数据').uncheck();
    await console.settled();
    expect(await rows.count()).toBe(real.length);
    expect(await page.locator('[data-provenance="SYNTHETIC_DEMO"]').count()).toBe(0);
    await page.getByLabel('显示演示数据').check();
    await console.settled();
    expect(console.problems).toEqual([]);
  });

  it('shows the first ceremony by its declared figures, saying its line-by-line list is not in the public record', async () => {
    await console.open('/ceremonies/2017-12-28-xian');
    const page = console.page;
    expect(await page.getByTestId('ceremony-city').innerText()).toBe('西安市');
    expect(await page.getByTestId('ceremony-declared-count').innerText()).toBe('15');
    expect(await page.getByTestId('ceremony-declared-total').locator('.money').getAttribute('data-yuan')).toBe('6500000.00');
    expect(await page.getByTestId('package-note').innerText()).toContain('不在公开记录中');
    expect(await page.getByTestId('package').count()).toBe(0);
    expect(await console.accessibilityViolations()).toEqual([]);
    expect(console.problems).toEqual([]);
  });

  it('shows a signed package as the API gives it: its lines and their sum, total, hash and checks, and a PDF that answers', async () => {
    const pkg = (await console.api<PackageAnswer>(PACKAGE, { ceremonyId: SIGNED })).ceremonyPackage;
    expect(pkg.status).toBe('SIGNED');
    expect(pkg.lines.length).toBeGreaterThan(0);

    await console.open(`/ceremonies/${SIGNED}`);
    const page = console.page;
    expect(await page.getByTestId('package').getAttribute('data-status')).toBe('SIGNED');
    expect(await page.getByTestId('package-status').innerText()).toBe('已签署');
    expect(await page.getByTestId('package-total').locator('.money').getAttribute('data-yuan')).toBe(pkg.total.yuan);
    expect(await page.getByTestId('package-stated-total').locator('.money').getAttribute('data-yuan')).toBe(pkg.statedTotal.yuan);
    expect(await page.getByTestId('package-hash').innerText()).toBe(pkg.contentHash);

    // The lines, in order, each as the API gives it, and their sum (the test's own, in fen).
    const rows = page.getByTestId('lines').locator('tbody tr');
    expect(await rows.count()).toBe(pkg.lines.length);
    expect(await page.getByTestId('line-count').innerText()).toBe(`${pkg.lines.length} 行`);
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const amounts = await rows.locator('.money').evaluateAll((spans) => spans.map((span) => span.getAttribute('data-yuan')));
    expect(shown.map((cells) => cells.slice(0, 5))).toEqual(
      pkg.lines.map((line) => [String(line.position), line.project.titleZh, line.county.nameZh, line.shaanxiSignatory.nameZh, line.jiangsuOrganization.nameZh]),
    );
    expect(amounts).toEqual(pkg.lines.map((line) => line.amount.yuan));
    const projectLinks = await rows.locator('td:nth-child(2) a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(projectLinks).toEqual(pkg.lines.map((line) => `/projects/${line.project.id}`));
    const countyLinks = await rows.locator('td:nth-child(3) a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(countyLinks).toEqual(pkg.lines.map((line) => `/counties/${line.county.code}`));
    const sum = sumOfYuan(pkg.lines.map((line) => line.amount.yuan));
    expect(sumOfYuan([pkg.total.yuan])).toBe(sum);
    expect(await page.getByTestId('lines-sum').locator('.money').getAttribute('data-yuan')).toBe(sum);
    // A badge for the ceremony, its agreement, the package and each line's project.
    expect(await rows.locator('[data-provenance]').count()).toBe(pkg.lines.length);

    // Every check, none failed: they are all in the passed table, folded away.
    const passed = pkg.checks.filter((check) => check.passed);
    expect(passed.length).toBe(pkg.checks.length);
    expect(await page.getByTestId('check-summary').innerText()).toBe(`${passed.length} 项通过，0 项未通过`);
    expect(await page.getByTestId('checks-failed').count()).toBe(0);
    const checkRows = page.getByTestId('checks-passed').locator('tbody tr');
    expect(await checkRows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kind'), tr.getAttribute('data-line'), tr.getAttribute('data-passed')]))).toEqual(
      pkg.checks.map((check) => [check.kind, check.line === null ? '' : String(check.line), 'true']),
    );

    // The downloads: the PDF at the package's pdfPath, and its spreadsheets, each answering.
    expect(await page.getByTestId('package-pdf').getAttribute('href')).toBe(pkg.pdfPath);
    const pdf = await fetch(new URL(pkg.pdfPath!, console.hub.origin));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    for (const [testId, type] of [
      ['package-csv', 'text/csv'],
      ['package-xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ] as const) {
      const href = await page.getByTestId(testId).getAttribute('href');
      expect(href).toBe(`/exports/ceremonies/${SIGNED}/packages/${pkg.version}.${testId === 'package-csv' ? 'csv' : 'xlsx'}`);
      const answer = await fetch(new URL(href!, console.hub.origin));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain(type);
    }
    // Following the link in the page downloads the PDF (fetched by the page, not shown as a page).
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('package-pdf').click()]);
    expect(download.suggestedFilename()).toBe(`${SIGNED}-v${pkg.version}.pdf`);
    expect(await page.getByTestId('package').locator('[role="alert"]').count()).toBe(0);

    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('ceremony');
    expect(console.problems).toEqual([]);
  });

  it('refuses a package not yet signed to the public with a clear message, and shows it, draft and failed checks too, to an office signed in with a token', async () => {
    const office = await console.hub.token('JIANGSU_OFFICE');
    // A draft after the final version 1, stating a total that is not the sum of its lines.
    const saved = await console.api<{ saveCeremonyPackage: { version: number; status: string } }>(SAVE, { input: { ceremonyId: WAITING, expectedVersion: 1, statedTotal: { fen: 100 } } }, office);
    expect(saved.saveCeremonyPackage).toEqual({ version: 2, status: 'DRAFT' });
    const draft = (await console.api<PackageAnswer>(PACKAGE, { ceremonyId: WAITING }, office)).ceremonyPackage;
    expect(draft).toMatchObject({ version: 2, status: 'DRAFT', pdfPath: null });
    const failedChecks = draft.checks.filter((check) => !check.passed);
    expect(failedChecks.map((check) => check.code)).toEqual(['TOTAL_MISMATCH']);
    // The public is told it does not exist.
    const refused = await console.hub.query(PACKAGE, { ceremonyId: WAITING });
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const page = console.page;
    await console.open(`/ceremonies/${WAITING}`);
    await signOut();
    await console.settled();
    expect(await page.getByTestId('package-not-visible').innerText()).toContain('尚未签署');
    expect(await page.getByTestId('package-not-visible').innerText()).toContain('令牌登录');
    expect(await page.getByTestId('package').count()).toBe(0);
    expect(await page.getByTestId('lines').count()).toBe(0);

    await signIn(office);
    await page.getByTestId('package').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('package').getAttribute('data-status')).toBe('DRAFT');
    expect(await page.getByTestId('package-status').innerText()).toBe('草稿');
    expect(await page.getByTestId('package-total').locator('.money').getAttribute('data-yuan')).toBe(draft.total.yuan);
    expect(await page.getByTestId('package-stated-total').locator('.money').getAttribute('data-yuan')).toBe(draft.statedTotal.yuan);
    expect(await page.getByTestId('package-stated-total').getAttribute('class')).toBe('mismatch');
    expect(await page.getByTestId('lines').locator('tbody tr').count()).toBe(draft.lines.length);
    expect(await page.getByTestId('lines-sum').locator('.money').getAttribute('data-yuan')).toBe(sumOfYuan(draft.lines.map((line) => line.amount.yuan)));
    // The failed check stands out, in a table of its own, with its code and message.
    const passedCount = draft.checks.length - failedChecks.length;
    expect(await page.getByTestId('check-summary').innerText()).toBe(`${passedCount} 项通过，${failedChecks.length} 项未通过`);
    const failedRows = page.getByTestId('checks-failed').locator('tbody tr');
    expect(await failedRows.count()).toBe(failedChecks.length);
    expect(await failedRows.first().getAttribute('class')).toBe('check-failed');
    expect(await failedRows.first().locator('code').innerText()).toBe('TOTAL_MISMATCH');
    expect(await failedRows.first().locator('td').last().innerText()).toBe(failedChecks[0]!.message);
    expect(await page.getByTestId('checks-passed').locator('tbody tr').count()).toBe(passedCount);
    // A draft is not printed.
    expect(await page.getByTestId('package-pdf').count()).toBe(0);
    expect(await page.getByTestId('package-no-pdf').count()).toBe(1);
    expect(await console.accessibilityViolations()).toEqual([]);

    // The final version 1, by the version list: its PDF answers with the office's token, and not without one.
    await page.getByRole('link', { name: /第 1 版/ }).click();
    await page.locator('[data-testid="package"][data-status="FINAL"]').waitFor();
    const final = (await console.api<PackageAnswer>(PACKAGE, { ceremonyId: WAITING, version: 1 }, office)).ceremonyPackage;
    expect(await page.getByTestId('lines').locator('tbody tr').count()).toBe(final.lines.length);
    const pdfPath = await page.getByTestId('package-pdf').getAttribute('href');
    expect(pdfPath).toBe(final.pdfPath);
    const withToken = await fetch(new URL(pdfPath!, console.hub.origin), { headers: { authorization: `Bearer ${office}` } });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('content-type')).toBe('application/pdf');
    expect((await fetch(new URL(pdfPath!, console.hub.origin))).status).toBe(404);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('package-pdf').click()]);
    expect(download.suggestedFilename()).toBe(`${WAITING}-v1.pdf`);

    await signOut();
    await console.settled();
    expect(await page.getByTestId('package-not-visible').count()).toBe(1);
    expect(console.problems).toEqual([]);
  });

  it('switches to English', async () => {
    const page = console.page;
    await console.open(`/ceremonies/${SIGNED}`);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => console.lang()).toBe('en');
    expect(await page.getByTestId('package-status').innerText()).toBe('Signed');
    expect(await page.getByRole('heading', { name: /^Lines/ }).count()).toBe(1);
    expect(await console.accessibilityViolations()).toEqual([]);
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => console.lang()).toBe('zh-CN');
    expect(console.problems).toEqual([]);
  });

  it('shows the code and message of an unknown ceremony', async () => {
    await console.open('/ceremonies/no-such-ceremony');
    expect(await console.page.getByRole('alert').locator('.error-code').innerText()).toBe('NOT_FOUND');
    expect(console.problems).toEqual([]);
  });
});
