import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPOSITORY_ROOT, startTestHub, type TestHub } from '@hub/testkit';

/**
 * What the console's browser tests share: a hub on a fresh database, Debian's Chromium through
 * playwright-core, and the checks every page must pass — no console error, no uncaught error,
 * no request to any address but the hub's own, no serious or critical axe-core violation — and
 * a screenshot of each page in docs/screenshots/console-<page>.png.
 */

/** Debian's chromium package, which `.ci/run` installs when it is missing. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const hasChromium = existsSync(CHROMIUM);
export const skippedTitle = (title: string) => (hasChromium ? title : `${title}: skipped, ${CHROMIUM} is not installed (\`apt-get install -y chromium\`; .ci/run does)`);

/** A browser's Accept header (Chromium's, for a page). */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface ConsoleBrowser {
  hub: TestHub;
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught errors, and every request to anywhere but the hub, since the last `open`. */
  problems: string[];
  /** Opens a console path and waits until its page has loaded (no loading state left). */
  open(path: string): Promise<void>;
  /** Waits until no query of the page is loading. */
  settled(): Promise<void>;
  /** The serious and critical axe-core violations of the page as it is. */
  accessibilityViolations(): Promise<string[]>;
  /** The page's `<html lang>`. */
  lang(): Promise<string>;
  /** Saves docs/screenshots/console-<name>.png, the whole page. */
  screenshot(name: string): Promise<string>;
  /** A GraphQL operation sent by hand to the hub (not through the console), without a token unless given. */
  api<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  close(): Promise<void>;
}

/** Starts a hub (with `env` as its environment adds) and a browser on it. */
export async function startConsoleBrowser(env: Record<string, string> = {}): Promise<ConsoleBrowser> {
  const hub = await startTestHub('all-in-one', env);
  let browser: Browser | undefined;
  try {
    const origin = hub.origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== origin) problems.push(`request to another address: ${request.url()}`);
    });
    const settled = async () => {
      // Every page is a section.page, in which its queries say they are loading (role=status).
      await page.locator('main .page').first().waitFor();
      await page.locator('main [role="status"]').first().waitFor({ state: 'detached', timeout: 15_000 });
    };
    return {
      hub,
      page,
      context,
      problems,
      async open(path) {
        problems.length = 0;
        await page.goto(new URL(path, origin).href);
        await settled();
      },
      settled,
      async accessibilityViolations() {
        // Put in through the browser's own protocol, which the page's policy does not govern.
        await page.evaluate(AXE_SOURCE);
        const violations = await page.evaluate<{ id: string; impact: string | null; help: string; targets: string[] }[]>(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
          result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.map((node) => JSON.stringify(node.target)) })))`);
        return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.targets.join(', ')})`);
      },
      lang: () => page.evaluate<string>('document.documentElement.lang'),
      async screenshot(name) {
        const folder = join(REPOSITORY_ROOT, 'docs', 'screenshots');
        mkdirSync(folder, { recursive: true });
        const path = join(folder, `console-${name}.png`);
        // Every font slice the page uses loaded, so that the picture shows its Chinese.
        await page.evaluate('document.fonts.ready.then(() => true)');
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      async api(query, variables, token) {
        const answer = await hub.query(query, variables, token ? { token } : {});
        if (answer.errors) throw new Error(`the API refused ${query.slice(0, 60)}…: ${JSON.stringify(answer.errors)}`);
        return answer.data as never;
      },
      async close() {
        await browser?.close();
        await hub.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await hub.stop();
    throw error;
  }
}

/** Sums decimal yuan strings exactly, in fen, as the domain counts money: the test's own arithmetic. */
export function sumOfYuan(amounts: (string | null | undefined)[]): string {
  let fen = 0n;
  for (const yuan of amounts) {
    if (!yuan) continue;
    const [whole, fraction = ''] = yuan.replace('-', '').split('.');
    const value = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
    fen += yuan.startsWith('-') ? -value : value;
  }
  const sign = fen < 0n ? '-' : '';
  const size = fen < 0n ? -fen : fen;
  return `${sign}${size / 100n}${size % 100n === 0n ? '' : `.${(size % 100n).toString().padStart(2, '0')}`}`;
}
