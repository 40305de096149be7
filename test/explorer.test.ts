import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

/** What Chromium sends when a person opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

/** The policy's sources for each directive. */
function policyOf(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

describe('the explorer at /graphql, for browsers', () => {
  let hub: TestHub;
  let page: Response;
  let html: string;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    page = await fetch(hub.url, { headers: { accept: BROWSER_ACCEPT } });
    html = await page.text();
  });
  afterAll(() => hub?.stop());

  it('is a page for a browser, under a policy that lets it load and call only the hub itself', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(html).toContain('<div id="explorer"></div>');
    const policy = policyOf(page.headers.get('content-security-policy'));
    expect(policy.get('default-src')).toEqual(["'none'"]);
    for (const directive of ['script-src', 'style-src', 'font-src', 'connect-src']) expect(policy.get(directive), directive).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('leaves / to the console, a page under the same policy', async () => {
    const root = await fetch(new URL('/', hub.origin), { headers: { accept: BROWSER_ACCEPT } });
    expect(root.status).toBe(200);
    expect(root.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
    expect(await root.text()).toContain('<div id="console">');
  });

  it('names only its own files, each served with its type and cached for good (its name carries its hash)', async () => {
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string).filter((url) => url !== 'data:,');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) expect(asset).toMatch(/^\/explorer\/assets\/[\w.-]+\.(?:js|css)$/);
    const stylesheet = assets.find((asset) => asset.endsWith('.css'))!;
    const css = await (await fetch(new URL(stylesheet, hub.origin))).text();
    // The fonts GraphiQL's packages ship are files of the bundle, not inline data nor another site's.
    const fonts = [...css.matchAll(/url\(([^)]+)\)/g)].map((match) => match[1] as string).filter((url) => !url.startsWith('data:image/'));
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font).toMatch(/^\.\/font-[0-9a-f]+\.woff2?$/);
    // A JavaScript type for a module script (either name), a stylesheet's type for the stylesheet.
    const types: Record<string, RegExp> = { js: /^(?:text|application)\/javascript\b/, css: /^text\/css\b/, woff2: /^font\/woff2$/, woff: /^font\/woff$/ };
    for (const asset of [...assets, ...fonts.map((font) => new URL(font, new URL(stylesheet, hub.origin)).pathname)]) {
      const response = await fetch(new URL(asset, hub.origin));
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toMatch(types[asset.split('.').at(-1)!]!);
      expect(response.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
      await response.arrayBuffer();
    }
    const missing = await fetch(new URL('/explorer/assets/nothing-here.js', hub.origin));
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });

  it('leaves every other request to /graphql to GraphQL: a GET asking for JSON (or anything), and a POST', async () => {
    for (const accept of ['application/json', '*/*', 'application/graphql-response+json', undefined]) {
      const response = await fetch(`${hub.url}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { 'apollo-require-preflight': 'true', ...(accept ? { accept } : {}) },
      });
      expect(response.headers.get('content-security-policy'), String(accept)).toBeNull();
      expect(await response.json(), String(accept)).toEqual({ data: { __typename: 'Query' } });
    }
    const posted = await hub.query('{ county(code: "611025") { nameZh } }');
    expect(posted.data).toEqual({ county: { nameZh: '镇安县' } });
  });

  it("answers the standard introspection query, GraphiQL's schema fetch", async () => {
    const result = await hub.query(getIntrospectionQuery());
    expect(result.errors).toBeUndefined();
    expect(result.data!.__schema.queryType.name).toBe('Query');
  });
});

describe('the explorer in production', () => {
  let production: TestHub;
  beforeAll(async () => {
    production = await startTestHub('all-in-one', { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) });
  });
  afterAll(() => production?.stop());

  it('is not served: GET /graphql is GraphQL as ever, and the explorer has no files', async () => {
    const page = await fetch(production.url, { headers: { accept: BROWSER_ACCEPT } });
    const body = await page.text();
    expect(page.headers.get('content-security-policy')).toBeNull();
    expect(body).not.toContain('<div id="explorer">');
    const asset = await fetch(new URL('/explorer/assets/index.js', production.origin));
    expect(asset.status).toBe(404);
    await asset.arrayBuffer();
    const query = await fetch(`${production.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it("gives browsers no landing page that loads from Apollo's servers, at /graphql or at /, where the console is", async () => {
    const graphql = await fetch(new URL('/graphql', production.origin), { headers: { accept: BROWSER_ACCEPT } });
    expect(graphql.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await graphql.text()).not.toMatch(/apollographql\.com|<script/);
    const root = await fetch(new URL('/', production.origin), { headers: { accept: BROWSER_ACCEPT } });
    const body = await root.text();
    expect(body).toContain('<div id="console">');
    expect(body).not.toMatch(/apollographql\.com/);
    for (const [, source] of body.matchAll(/<script[^>]*src="([^"]+)"/g)) expect(source).toMatch(/^\/console\/assets\//);
  });
});
