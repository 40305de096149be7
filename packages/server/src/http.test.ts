import { describe, expect, it } from 'vitest';
import { listenHttp } from './http.ts';

describe('a listener before the hub is ready', () => {
  it('is live at once, but answers readiness and GraphQL with 503 until it serves', async () => {
    const listener = await listenHttp({ port: 0 });
    try {
      const origin = new URL(listener.url).origin;
      expect((await fetch(`${origin}/livez`)).status).toBe(200);
      const readiness = await fetch(`${origin}/readyz`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toEqual({ status: 'starting' });
      const graphql = await fetch(listener.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      expect(graphql.status).toBe(503);
      expect(graphql.headers.get('retry-after')).toBe('1');
      expect(((await graphql.json()) as any).errors[0].extensions.code).toBe('STARTING');
    } finally {
      await listener.stop(0);
    }
  });
});
