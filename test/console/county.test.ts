import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ACCEPT, hasChromium, skippedTitle, startConsoleBrowser, sumOfYuan, type ConsoleBrowser } from './browser.ts';

/** The county page's figures, asked of the API by hand. */
const COUNTY = `query County($code: DivisionCode!, $kinds: [ProvenanceKind!]) {
  county(code: $code) {
    nameZh
    prefecture { nameZh cityPairing { jiangsuCity { nameZh } } }
    organizations(provenance: $kinds) { id nameZh provenance { kind } }
    projects(provenance: $kinds) { id titleZh amountSought { yuan } provenance { kind } }
    signingCeremonies(provenance: $kinds) { id titleZh provenance { kind } }
  }
}`;

interface CountyAnswer {
  county: {
    nameZh: string;
    prefecture: { nameZh: string; cityPairing: { jiangsuCity: { nameZh: string } } | null };
    organizations: { id: string; nameZh: string; provenance: { kind: string } }[];
    projects: { id: string; titleZh: string; amountSought: { yuan: string } | null; provenance: { kind: string } }[];
    signingCeremonies: { id: string; titleZh: string; provenance: { kind: string } }[] | null;
  };
}

describe.skipIf(!hasChromium)(skippedTitle('the county page in Chromium'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    // With the synthetic demo records, which the page marks and can hide.
    console = await startConsoleBrowser({ DEMO_DATA: 'true' });
  }, 120_000);
  afterAll(() => console?.close());

  it('shows 镇安县 (611025) with the figures the API gives for it, each record with its provenance', async () => {
    const { county } = await console.api<CountyAnswer>(COUNTY, { code: '611025' });
    // The domain: 镇安 is in 商洛, which pairs with 南京.
    expect(county.nameZh).toBe('镇安县');
    expect(county.prefecture.nameZh).toBe('商洛市');
    expect(county.prefecture.cityPairing?.jiangsuCity.nameZh).toBe('南京市');

    await console.open('/counties/611025');
    const page = console.page;
    expect(await page.getByTestId('county-name').innerText()).toContain(county.nameZh);
    expect(await page.getByTestId('county-prefecture').innerText()).toBe(county.prefecture.nameZh);
    expect(await page.getByTestId('county-paired-city').innerText()).toBe(county.prefecture.cityPairing?.jiangsuCity.nameZh);

    const ceremonies = county.signingCeremonies ?? [];
    expect(await page.getByTestId('project-count').innerText()).toBe(`${county.projects.length} 个项目`);
    expect(await page.getByTestId('organization-count').innerText()).toBe(`${county.organizations.length} 个组织`);
    expect(await page.getByTestId('ceremony-count').innerText()).toBe(`${ceremonies.length} 场仪式`);
    if (county.projects.length > 0) {
      const rows = page.getByTestId('projects').locator('tbody tr');
      expect(await rows.count()).toBe(county.projects.length);
      const titles = await rows.locator('td:first-child').allInnerTexts();
      expect(titles.sort()).toEqual(county.projects.map((project) => project.titleZh).sort());
      expect(await page.getByTestId('projects-total').locator('.money').getAttribute('data-yuan')).toBe(sumOfYuan(county.projects.map((project) => project.amountSought?.yuan)));
    }
    if (county.organizations.length > 0) {
      expect((await page.getByTestId('organizations').locator('tbody td:first-child').allInnerTexts()).sort()).toEqual(county.organizations.map((organization) => organization.nameZh).sort());
    }
    if (ceremonies.length > 0) expect(await page.getByTestId('ceremonies').locator('tbody tr').count()).toBe(ceremonies.length);

    // A badge for the county, its city pairing, and each project, organization and ceremony.
    const badges = page.locator('[data-provenance]');
    expect(await badges.count()).toBe(2 + county.projects.length + county.organizations.length + ceremonies.length);
    expect(await page.locator('[data-provenance="PUBLIC_RECORD"]').first().innerText()).toBe('公开记录');

    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('county');
    expect(console.problems).toEqual([]);
  });

  it('hides the demo records when "show demo records" is off, and shows them again when it is on, each marked as demo', async () => {
    const all = (await console.api<CountyAnswer>(COUNTY, { code: '611025' })).county;
    const real = (await console.api<CountyAnswer>(COUNTY, { code: '611025', kinds: ['PUBLIC_RECORD', 'ENTERED'] })).county;
    const demoProjects = all.projects.filter((project) => project.provenance.kind === 'SYNTHETIC_DEMO');
    // The demo data gives 镇安县 projects of its own: the filter has something to hide.
    expect(demoProjects.length).toBeGreaterThan(0);
    const page = console.page;
    await console.open('/counties/611025');
    const shownTitles = () => page.getByTestId('projects').locator('tbody td:first-child').allInnerTexts();
    const demoRow = page.getByTestId('projects').locator('tbody tr', { hasText: demoProjects[0]!.titleZh });
    expect(await demoRow.locator('[data-provenance]').innerText()).toBe('演示数据');
    expect((await shownTitles()).length).toBe(all.projects.length);

    await page.getByLabel('显示演示数据').uncheck();
    await console.settled();
    await expect.poll(() => page.getByTestId('project-count').innerText()).toBe(`${real.projects.length} 个项目`);
    expect(await page.locator('[data-provenance="SYNTHETIC_DEMO"]').count()).toBe(0);
    expect(await page.getByTestId('organization-count').innerText()).toBe(`${real.organizations.length} 个组织`);
    expect(await page.getByText(demoProjects[0]!.titleZh).count()).toBe(0);
    await page.reload();
    await console.settled();
    expect(await page.getByLabel('显示演示数据').isChecked()).toBe(false);
    expect(await page.locator('[data-provenance="SYNTHETIC_DEMO"]').count()).toBe(0);

    await page.getByLabel('显示演示数据').check();
    await console.settled();
    await expect.poll(async () => (await shownTitles()).sort()).toEqual(all.projects.map((project) => project.titleZh).sort());
    expect(console.problems).toEqual([]);
  });

  it('switches to English, keeps the choice across a reload, and <html lang> follows', async () => {
    const page = console.page;
    await console.open('/counties/611025');
    expect(await console.lang()).toBe('zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => console.lang()).toBe('en');
    expect(await page.getByRole('heading', { name: /^Projects/ }).count()).toBe(1);
    await page.reload();
    await console.settled();
    expect(await console.lang()).toBe('en');
    expect(await page.getByRole('navigation').innerText()).toContain('Pipeline');
    // The explorer, a page of the hub's own, is a link away.
    expect(await page.getByRole('link', { name: 'GraphQL explorer' }).getAttribute('href')).toBe('/graphql');
    expect(await console.accessibilityViolations()).toEqual([]);
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => console.lang()).toBe('zh-CN');
    expect(console.problems).toEqual([]);
  });

  it('is a page for browsers only: a program asking for the same path gets the JSON 404 as before', async () => {
    const answer = await fetch(new URL('/counties/611025', console.hub.origin), { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('NOT_FOUND');
  });

  it("leaves the hub's own files to the hub when a browser asks for them: a download, a package's PDF", async () => {
    for (const path of ['/exports/pipeline.iati.xml', '/ceremonies/demo-2019-06-18-ankang/packages/1.pdf']) {
      const answer = await fetch(new URL(path, console.hub.origin), { headers: { accept: BROWSER_ACCEPT } });
      expect(answer.headers.get('content-type'), path).not.toMatch(/text\/html/);
      await answer.arrayBuffer();
    }
  });

  it('shows the code and message of an error the graph answers with', async () => {
    await console.open('/counties/619999');
    const alert = console.page.getByRole('alert');
    expect(await alert.locator('.error-code').innerText()).toBe('NOT_FOUND');
    expect(console.problems).toEqual([]);
  });
});
