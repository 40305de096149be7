import { Readable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpRejection, listenHttp, type HttpListener, type HttpRoute } from './http.ts';

/**
 * Routes served beside GraphQL (the printable package) answer as plain HTTP: their refusals
 * are `{ error: { code, message } }`, they keep the request time limit and the drain.
 */
describe('a route beside GraphQL', () => {
  let listener: HttpListener | undefined;
  afterEach(async () => {
    await listener?.stop(1_000);
    listener = undefined;
  });

  async function serve(get: HttpRoute['get'], timeoutMs = 5_000): Promise<string> {
    listener = await listenHttp({ port: 0 });
    const server = new ApolloServer({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } });
    await server.start();
    const route: HttpRoute = {
      name: 'things',
      match: (pathname) => {
        const match = /^\/things\/(\d+)\.txt$/.exec(pathname);
        return match ? { id: match[1]! } : null;
      },
      get,
    };
    listener.serve(server, { context: async () => ({}), health: async () => ({ down: [] }), routes: [route], timeoutMs });
    return new URL(listener.url).origin;
  }

  it('answers a GET with what the route gives, and a HEAD with its headers only', async () => {
    const origin = await serve(async ({ params }) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: `thing ${params.id}` }));
    const got = await fetch(`${origin}/things/42.txt`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(await got.text()).toBe('thing 42');
    const head = await fetch(`${origin}/things/42.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('8');
    expect(await head.text()).toBe('');
    // Other paths are still GraphQL's or nobody's.
    expect((await fetch(`${origin}/things/x.txt`)).status).toBe(404);
  });

  it('answers a HEAD whose body the route did not make with its headers and no length', async () => {
    const origin = await serve(async ({ request }) => ({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: request.method === 'HEAD' ? null : 'made for a GET',
    }));
    const head = await fetch(`${origin}/things/7.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/plain');
    expect(head.headers.get('content-length')).toBeNull();
    expect(await head.text()).toBe('');
    expect(await (await fetch(`${origin}/things/7.txt`)).text()).toBe('made for a GET');
  });

  it('sends a stream as it is read, before the route has made all of it', async () => {
    let finish = () => {};
    const lastPart = new Promise<void>((resolve) => (finish = resolve));
    let generated = 0;
    const origin = await serve(async () => ({
      status: 200,
      headers: { 'content-type': 'text/csv' },
      body: Readable.from(
        (async function* () {
          generated += 1;
          yield 'first line\n';
          await lastPart;
          generated += 1;
          yield 'last line\n';
        })(),
      ),
    }));
    const answer = await fetch(`${origin}/things/1.txt`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-length')).toBeNull();
    const reader = answer.body!.getReader();
    // The first part arrives while the second is not made yet: nothing waits for the whole.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first line\n');
    expect(generated).toBe(1);
    finish();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    expect(rest).toBe('last line\n');
    // A HEAD does not read it.
    generated = 0;
    expect((await fetch(`${origin}/things/1.txt`, { method: 'HEAD' })).status).toBe(200);
    expect(generated).toBe(0);
  });

  it('refuses other methods with 405', async () => {
    const origin = await serve(async () => ({ status: 200, headers: {}, body: 'never' }));
    const posted = await fetch(`${origin}/things/1.txt`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect(((await posted.json()) as any).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it("answers the route's refusal with its status, headers and a plain error body", async () => {
    const origin = await serve(async () => {
      throw new HttpRejection(404, 'NOT_FOUND', 'No such thing.', { 'x-request-id': 'r-1' });
    });
    const answer = await fetch(`${origin}/things/1.txt`);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-request-id')).toBe('r-1');
    expect(await answer.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such thing.' } });
  });

  it('masks an unexpected failure', async () => {
    const origin = await serve(async () => {
      throw new Error('select * from secret_table failed');
    });
    const answer = await fetch(`${origin}/things/1.txt`);
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' } });
    expect(text).not.toContain('secret_table');
  });

  it('answers 503 TIMEOUT once past the time limit, without waiting for the work', async () => {
    const origin = await serve(() => new Promise(() => {}), 200);
    const started = Date.now();
    const answer = await fetch(`${origin}/things/1.txt`);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(((await answer.json()) as any).error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('finishes a request in flight while draining, and refuses the next with SHUTTING_DOWN', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived = () => {};
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    const origin = await serve(async () => {
      arrived();
      await released;
      return { status: 200, headers: {}, body: 'done' };
    });
    const first = fetch(`${origin}/things/1.txt`);
    await inFlight;
    const stopped = listener!.stop(5_000);
    const refused = await fetch(`${origin}/things/2.txt`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as any).error.code).toBe('SHUTTING_DOWN');
    release();
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(await answered.text()).toBe('done');
    await stopped;
    listener = undefined;
  });
});
