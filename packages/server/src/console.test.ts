import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConsolePath } from './console.ts';
import { listenHttp, type HttpListener } from './http.ts';
import { createLogger } from './logger.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('which paths are the console’s', () => {
  it('is / and every path that is not one of the hub’s own resources', () => {
    for (const path of ['/', '/pipeline', '/projects/p-1', '/counties/611025', '/agreements/a', '/ceremonies/c', '/foundations/f', '/anything']) expect(isConsolePath(path), path).toBe(true);
    for (const path of ['/graphql', '/exports/pipeline.iati.xml', '/healthz', '/health', '/readyz', '/livez', '/metrics', '/explorer/assets/x.js', '/console/assets/x.js', '/ceremonies/c/packages/1.pdf', '/robots.txt']) expect(isConsolePath(path), path).toBe(false);
  });
});

describe('the console served by the listener', () => {
  const folder = mkdtempSync(join(tmpdir(), 'console-served-'));
  const lines: Record<string, unknown>[] = [];
  let built: HttpListener;
  let notBuilt: HttpListener;
  beforeAll(async () => {
    mkdirSync(join(folder, 'console', 'assets'), { recursive: true });
    writeFileSync(join(folder, 'console', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(folder, 'console', 'assets', 'index-abc.js'), 'console.log(1)');
    mkdirSync(join(folder, 'explorer', 'assets'), { recursive: true });
    writeFileSync(join(folder, 'explorer', 'index.html'), '<!doctype html><title>explorer</title>');
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
    built = await listenHttp({ port: 0, console: { folder: join(folder, 'console') }, explorer: { folder: join(folder, 'explorer') }, logger });
    notBuilt = await listenHttp({ port: 0, console: { folder: join(folder, 'missing') }, logger });
  });
  afterAll(async () => {
    await built?.stop(0);
    await notBuilt?.stop(0);
    rmSync(folder, { recursive: true, force: true });
  });

  const at = (listener: HttpListener, path: string) => new URL(path, listener.url).href;

  it('gives browsers its page at / and at its paths, with the strict policy, and the explorer at /graphql', async () => {
    for (const path of ['/', '/pipeline', '/counties/611025']) {
      for (const method of ['GET', 'HEAD']) {
        const page = await fetch(at(built, path), { method, headers: { accept: BROWSER_ACCEPT } });
        expect(page.status, `${method} ${path}`).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(page.headers.get('content-security-policy')).toContain("font-src 'self'");
        if (method === 'GET') expect(await page.text()).toContain('<title>console</title>');
      }
    }
    expect(await (await fetch(at(built, '/graphql'), { headers: { accept: BROWSER_ACCEPT } })).text()).toContain('<title>explorer</title>');
    const asset = await fetch(at(built, '/console/assets/index-abc.js'));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('is not what a non-browser gets, nor a browser at the hub’s own resources', async () => {
    // This listener serves no GraphQL yet (it is starting): the others get its JSON answer as before.
    const unknown = await fetch(at(built, '/pipeline'), { headers: { accept: 'application/json' } });
    expect(unknown.headers.get('content-type')).toContain('application/json');
    expect(((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('STARTING');
    for (const path of ['/livez', '/exports/pipeline.iati.xml', '/healthz', '/console/assets/missing.js']) {
      const answer = await fetch(at(built, path), { headers: { accept: BROWSER_ACCEPT } });
      expect(await answer.text(), path).not.toContain('<title>console</title>');
    }
    const post = await fetch(at(built, '/pipeline'), { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
    expect(await post.text()).not.toContain('<title>console</title>');
  });

  it('says how to build it when it is not built, told in the log once', async () => {
    for (let visit = 0; visit < 2; visit += 1) {
      const page = await fetch(at(notBuilt, '/counties/611025'), { headers: { accept: BROWSER_ACCEPT } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build');
    }
    expect(lines.filter((line) => String(line['message']).startsWith('the console is not built'))).toHaveLength(1);
  });
});
