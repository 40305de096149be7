import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, skippedTitle, startConsoleBrowser, type ConsoleBrowser } from './browser.ts';

/**
 * Production: the console is served and works on a hub that runs only the manifest's trusted
 * documents, because it sends nothing else; an operation that is not in the manifest is still
 * refused there.
 */
describe.skipIf(!hasChromium)(skippedTitle('the console on a hub that requires trusted documents, in production'), () => {
  let console: ConsoleBrowser;
  beforeAll(async () => {
    console = await startConsoleBrowser({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), REQUIRE_TRUSTED_DOCUMENTS: 'true' });
  }, 120_000);
  afterAll(() => console?.close());

  it('shows the county page, every operation it sent being a documentId of the manifest, never a text', async () => {
    const sent: unknown[] = [];
    console.page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/graphql' && request.method() === 'POST') sent.push(JSON.parse(request.postData() ?? 'null'));
    });
    await console.open('/counties/611025');
    expect(await console.page.getByTestId('county-name').innerText()).toContain('镇安县');
    expect(await console.page.getByTestId('county-paired-city').innerText()).toBe('南京市');
    expect(sent.length).toBeGreaterThan(0);
    for (const body of sent) {
      expect(Object.keys(body as object).sort()).toEqual(['documentId', 'variables']);
      expect((body as { documentId: string }).documentId).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(console.problems).toEqual([]);
  });

  it('still refuses an operation that is not in the manifest, sent from the same page', async () => {
    const answer = await console.page.evaluate(async () => {
      const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ county(code: "611025") { nameZh } }' }) });
      return { status: response.status, body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });
});
