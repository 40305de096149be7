import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, type ConsoleBrowser } from './browser.ts';

/** What every page has around it: the front page, the navigation, the sign-in, a path with no page. */
describe.skipIf(!hasChromium)(skippedTitle('the console around its pages, in Chromium'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    console = await startConsoleBrowser();
  }, 120_000);
  afterAll(() => console?.close());

  it('opens at / in Chinese, with the navigation and a way to a county', async () => {
    await console.open('/');
    const page = console.page;
    expect(await console.lang()).toBe('zh-CN');
    expect(await page.getByRole('navigation', { name: '主导航' }).getByRole('link').allInnerTexts()).toEqual(['协议', '项目进展', '签约仪式', '基金会', '县区', 'GraphQL 浏览器']);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '县区' }).click();
    await console.settled();
    expect(new URL(page.url()).pathname).toBe('/counties');
    await page.getByRole('link', { name: /镇安县/ }).click();
    await console.settled();
    expect(await page.getByTestId('county-name').innerText()).toContain('镇安县');
    expect(new URL(page.url()).pathname).toBe('/counties/611025');
    await console.open('/');
    expect(await console.accessibilityViolations()).toEqual([]);
    await console.screenshot('home');
    expect(console.problems).toEqual([]);
  });

  it('signs in with a token from npm run token, kept for the tab and sent as Bearer, and signs out', async () => {
    const token = await console.hub.token('SHAANXI_OFFICE');
    await console.open('/counties/611025');
    const page = console.page;
    await page.getByLabel('令牌').fill('not a token');
    await page.getByRole('button', { name: '登录' }).click();
    expect(await page.getByRole('alert').innerText()).toBe('这不是平台签发的令牌。');
    await page.getByLabel('令牌').fill(token);
    await page.getByRole('button', { name: '登录' }).click();
    expect(await page.getByTestId('signed-in-as').innerText()).toContain('SHAANXI_OFFICE');
    expect(await page.evaluate<string[]>('Object.keys(sessionStorage)')).toEqual(['su-shaan-hub.console.token']);

    // Every operation from now on carries it.
    const sent = page.waitForRequest((request) => request.url().endsWith('/graphql') && request.method() === 'POST');
    await page.reload();
    expect((await sent).headers()['authorization']).toBe(`Bearer ${token}`);
    await console.settled();
    expect(await page.getByTestId('signed-in-as').innerText()).toContain('SHAANXI_OFFICE');

    await page.getByRole('button', { name: '退出' }).click();
    expect(await page.evaluate<string[]>('Object.keys(sessionStorage)')).toEqual([]);
    const unsigned = page.waitForRequest((request) => request.url().endsWith('/graphql') && request.method() === 'POST');
    await page.reload();
    expect((await unsigned).headers()['authorization']).toBeUndefined();
    expect(console.problems).toEqual([]);
  });

  it('says so at a path it has no page for', async () => {
    await console.open('/no-such-page');
    expect(await console.page.getByRole('heading', { level: 1 }).innerText()).toBe('没有这个页面');
    expect(console.problems).toEqual([]);
  });
});
