import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT, startTestHub, type TestHub } from '@hub/testkit';

/** Debian's chromium package, which `.ci/run` installs when it is missing. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Set to write docs/screenshots/explorer.png, the one README shows. */
const SCREENSHOT = process.env['EXPLORER_SCREENSHOT'] === '1';

const CREATE_JIANGSU_ORGANIZATION = 'mutation CreateJiangsuOrganization { createJiangsuOrganization(input: { nameZh: "浏览器测试基金会", kind: FOUNDATION, cityCode: "320400" }) { nameZh version } }';
const CREATE_SHAANXI_ORGANIZATION = 'mutation CreateShaanxiOrganization { createShaanxiOrganization(input: { nameZh: "浏览器测试协会", kind: ASSOCIATION }) { nameZh } }';

/** What GraphiQL's editors hold: CodeMirror 5, each editor's instance on its element. */
async function setEditor(page: Page, editor: 'query' | 'variables', text: string): Promise<void> {
  const selector = editor === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-editor-tool .CodeMirror';
  await page.locator(selector).first().waitFor();
  await page
    .locator(selector)
    .first()
    .evaluate((element, text) => (element as unknown as { CodeMirror: { setValue(text: string): void } }).CodeMirror.setValue(text), text);
  // GraphiQL reads the operation's name from the editor a moment later, and names the tab after it.
  const name = /^(?:query|mutation) (\w+)/.exec(text)?.[1];
  if (editor === 'query' && name) await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toContain(name);
}

async function editorText(page: Page, editor: 'query' | 'variables'): Promise<string> {
  const selector = editor === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-editor-tool .CodeMirror';
  return page.locator(selector).first().evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/** Runs what the query editor holds, as a person does (the run button), and gives the answer GraphiQL shows. */
async function run(page: Page): Promise<{ data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const answered = page.waitForResponse((response) => response.url().endsWith('/graphql') && response.request().method() === 'POST' && !response.request().postData()?.includes('IntrospectionQuery'));
  await page.getByRole('button', { name: /execute query/i }).click();
  await answered;
  const shown = page.locator('.result-window .CodeMirror');
  await expect.poll(() => shown.evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()), { timeout: 10_000 }).not.toBe('');
  return JSON.parse(await shown.evaluate((element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()));
}

const hasChromium = existsSync(CHROMIUM);
const title = hasChromium ? 'the explorer in Chromium' : `the explorer in Chromium: skipped, ${CHROMIUM} is not installed (\`apt-get install -y chromium\`; .ci/run does)`;

describe.skipIf(!hasChromium)(title, () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  /** Console errors, uncaught errors, and every request to anywhere but the hub. */
  const problems: string[] = [];
  let origin: string;
  let introspected: Promise<unknown>;

  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    origin = new URL(hub.origin).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('request', (request) => {
      const url = new URL(request.url());
      // data: URLs are the page's own bytes (GraphiQL's stylesheet draws two icons so), not a request to anyone.
      if (url.protocol !== 'data:' && url.origin !== origin) problems.push(`request to another address: ${request.url()}`);
    });
    introspected = page.waitForResponse((response) => response.url().endsWith('/graphql') && Boolean(response.request().postData()?.includes('__schema')));
    await page.goto(hub.url);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it("loads the schema through the hub's introspection, and shows it in the documentation explorer", async () => {
    const response = await introspected;
    expect(((await (response as { json(): Promise<{ data: { __schema: unknown } }> }).json()).data.__schema)).toBeTruthy();
    await page.getByRole('button', { name: /show documentation explorer/i }).click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText(), { timeout: 10_000 }).toContain('Query');
    await page.getByRole('button', { name: /hide documentation explorer/i }).click();
    expect(problems).toEqual([]);
  });

  it('links to the console, at /', async () => {
    expect(await page.getByRole('link', { name: 'Console' }).getAttribute('href')).toBe('/');
  });

  it("opens README's example operations as tabs", async () => {
    const tabs = await page.locator('.graphiql-tab').allInnerTexts();
    expect(tabs.map((tab) => tab.trim())).toEqual(expect.arrayContaining(['FoundationIndustryProjects', 'AgreementProgress', 'CountyPage']));
  });

  it("runs README's county page for 镇安县 (611025) and shows the answer the API gives for it", async () => {
    await page.locator('.graphiql-tab', { hasText: 'CountyPage' }).click();
    await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toContain('CountyPage');
    const countyPage = await editorText(page, 'query');
    expect(countyPage).toMatch(/^query CountyPage\(\$code: DivisionCode!\)/);
    expect(JSON.parse(await editorText(page, 'variables'))).toEqual({ code: '610927' });
    await setEditor(page, 'variables', '{ "code": "611025" }');
    const shown = await run(page);
    const direct = await hub.query(countyPage, { code: '611025' });
    expect(direct.errors).toBeUndefined();
    expect(shown).toEqual({ data: direct.data });
    expect((shown.data as { county: { nameZh: string } }).county.nameZh).toBe('镇安县');
    if (SCREENSHOT) await page.screenshot({ path: `${REPOSITORY_ROOT}/docs/screenshots/explorer.png` });
    expect(problems).toEqual([]);
  });

  it('signs in with a token, kept for the tab, and runs a change that role may make and refuses one it may not', async () => {
    await page.getByLabel('Token').fill(await hub.token('JIANGSU_OFFICE'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /new tab/i }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').innerText()).toContain('JIANGSU_OFFICE');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { sessionStorage: object }).sessionStorage))).toEqual(['su-shaan-hub.explorer.token']);

    await setEditor(page, 'query', CREATE_JIANGSU_ORGANIZATION);
    const allowed = await run(page);
    expect(allowed).toEqual({ data: { createJiangsuOrganization: { nameZh: '浏览器测试基金会', version: 1 } } });

    await setEditor(page, 'query', CREATE_SHAANXI_ORGANIZATION);
    const refused = await run(page);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Signed out, the same change is refused for want of a token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await setEditor(page, 'query', CREATE_JIANGSU_ORGANIZATION);
    expect((await run(page)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(problems).toEqual([]);
  });
});
