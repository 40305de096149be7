import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefersHtml } from './explorer.ts';
import { listenHttp, type HttpListener } from './http.ts';
import { createLogger } from './logger.ts';

describe('who gets the explorer page', () => {
  it('is a request whose Accept prefers HTML to every GraphQL answer, as Apollo Server decides', () => {
    expect(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    for (const accept of [undefined, '', '*/*', 'application/json', 'application/json, text/html', 'text/html;q=0.5, application/json', 'application/graphql-response+json']) {
      expect(prefersHtml(accept), String(accept)).toBe(false);
    }
  });
});

describe('an explorer that is not built', () => {
  const folder = mkdtempSync(join(tmpdir(), 'explorer-not-built-'));
  const lines: Record<string, unknown>[] = [];
  let listener: HttpListener;
  beforeAll(async () => {
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
    listener = await listenHttp({ port: 0, explorer: { folder: join(folder, 'dist') }, logger });
  });
  afterAll(async () => {
    await listener?.stop(0);
    rmSync(folder, { recursive: true, force: true });
  });

  it('is a page that says so and how to build it, told in the log once, and the process goes on', async () => {
    for (let visit = 0; visit < 2; visit += 1) {
      const page = await fetch(listener.url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<h1>The explorer is not built</h1>');
    }
    const told = lines.filter((line) => String(line['message']).startsWith('the explorer is not built'));
    expect(told).toHaveLength(1);
    expect(told[0]!['message']).toContain('npm run build');
    const live = await fetch(listener.url.replace('/graphql', '/livez'));
    expect(live.status).toBe(200);
  });
});
