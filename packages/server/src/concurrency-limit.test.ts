import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { currentDeadline, Deadline } from '@hub/db';
import { deadlinePlugin } from './deadline.ts';
import { listenHttp, type HttpListener } from './http.ts';
import { HubMetrics } from './metrics.ts';
import { ConcurrencyLimit, type Concurrency } from './concurrency-limit.ts';

/**
 * A hub whose every field waits until the test lets it end: `started` lists the requests whose
 * resolver ran, in the order they ran.
 */
async function holdingHub(concurrency: Concurrency, timeoutMs = 5_000) {
  const started: string[] = [];
  /** The requests of each id held now. */
  const gates = new Map<string, (() => void)[]>();
  // Takes the request's turn first, as the gateway's fetches do.
  const hold = async (id: string) => {
    await currentDeadline()?.takeTurn?.();
    started.push(id);
    return new Promise<string>((resolve) => gates.set(id, [...(gates.get(id) ?? []), () => resolve(id)]));
  };
  const metrics = new HubMetrics();
  const listener = await listenHttp({ port: 0, metrics: { metrics, access: { token: undefined, production: false } } });
  const server = new ApolloServer({
    typeDefs: 'type Query { hold(id: String!): String  kept: String }  type Mutation { write(id: String!): String }',
    resolvers: {
      // `kept` needs no turn, as an answer the gateway kept needs no fetch.
      Query: { hold: (_: unknown, { id }: { id: string }) => hold(id), kept: () => 'kept' },
      Mutation: { write: (_: unknown, { id }: { id: string }) => hold(id) },
    },
    // Tells the deadline the request is a query: a query past its time limit is answered then.
    plugins: [deadlinePlugin()],
  });
  await server.start();
  listener.serve(server, { context: async () => ({}), health: async () => ({ down: [] }), timeoutMs, concurrency });
  const send = (id: string, headers: Record<string, string> = {}, field = 'query { hold') =>
    fetch(listener.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: `${field}(id: "${id}") }` }),
    }).then(async (response) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any }));
  const requests = async () => {
    const text = await (await fetch(`${new URL(listener.url).origin}/metrics`)).text();
    const count = (state: string) => Number(new RegExp(`^hub_graphql_requests\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    return { running: count('running'), waiting: count('waiting') };
  };
  /** Until the listener has `waiting` requests waiting their turn. */
  const untilWaiting = async (waiting: number) => {
    const until = Date.now() + 5_000;
    while ((await requests()).waiting !== waiting) {
      if (Date.now() > until) throw new Error(`never ${waiting} waiting: ${JSON.stringify(await requests())}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const untilStarted = async (count: number) => {
    const until = Date.now() + 5_000;
    while (started.length < count) {
      if (Date.now() > until) throw new Error(`only ${started.join(', ')} started`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  /** Lets every request of `id` held now end. */
  const release = (id: string) => {
    const held = gates.get(id);
    if (!held) throw new Error(`${id} has not started`);
    gates.delete(id);
    for (const end of held) end();
  };
  /** Lets the request of `id` held longest end. */
  const releaseOldest = (id: string) => {
    const held = gates.get(id);
    const end = held?.shift();
    if (!end) throw new Error(`${id} has not started`);
    end();
  };
  return { listener, started, send, requests, untilWaiting, untilStarted, release, releaseOldest, stop: () => stopAll(listener, server, gates) };
}

async function stopAll(listener: HttpListener, server: ApolloServer, gates: Map<string, (() => void)[]>) {
  for (const held of gates.values()) for (const end of held) end();
  await listener.stop(0);
  await server.stop();
}

/** Runs `test` on a holding hub, stopped after it whatever happens. */
async function withHoldingHub(concurrency: Concurrency, test: (hub: Awaited<ReturnType<typeof holdingHub>>) => Promise<void>) {
  const hub = await holdingHub(concurrency);
  try {
    await test(hub);
  } finally {
    await hub.stop();
  }
}

const OK = (id: string) => ({ status: 200, retryAfter: null, body: { data: { hold: id } } });

describe('GraphQL requests taking turns', () => {
  it('runs at most the limit at once, and the rest in the order they came, mutations as queries', async () => {
    await withHoldingHub({ running: 2, waiting: 10 }, async (hub) => {
      const a = hub.send('a');
      const b = hub.send('b');
      await hub.untilStarted(2);
      const c = hub.send('c');
      await hub.untilWaiting(1);
      const d = hub.send('d', {}, 'mutation { write');
      await hub.untilWaiting(2);
      expect(await hub.requests()).toEqual({ running: 2, waiting: 2 });
      expect(hub.started.sort()).toEqual(['a', 'b']);

      hub.release('a');
      expect(await a).toEqual(OK('a'));
      await hub.untilStarted(3);
      expect(hub.started.slice(2)).toEqual(['c']);
      expect(await hub.requests()).toEqual({ running: 2, waiting: 1 });

      hub.release('b');
      await hub.untilStarted(4);
      expect(hub.started.slice(3)).toEqual(['d']);
      hub.release('c');
      hub.release('d');
      expect(await Promise.all([b, c, d])).toEqual([OK('b'), OK('c'), { status: 200, retryAfter: null, body: { data: { write: 'd' } } }]);
      expect(await hub.requests()).toEqual({ running: 0, waiting: 0 });
    });
  });

  it('runs a query the same as one working in its turn, while that one works, and not one from another caller', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const a = hub.send('a');
      await hub.untilStarted(1);
      // The same body from the same caller: it works now, in the first one's turn.
      const second = hub.send('a');
      await hub.untilStarted(2);
      // The first ends: the turn is the second's until it ends.
      hub.releaseOldest('a');
      expect(await a).toEqual(OK('a'));
      expect(await hub.requests()).toEqual({ running: 1, waiting: 0 });
      // None joins once the first has ended, or a stream of them would hold the turn for ever.
      const third = hub.send('a');
      await hub.untilWaiting(1);
      // The same body from another caller, and another body: each waits its turn.
      const other = hub.send('a', { authorization: 'Bearer someone-else' });
      await hub.untilWaiting(2);
      const b = hub.send('b');
      await hub.untilWaiting(3);
      expect(hub.started).toEqual(['a', 'a']);
      hub.release('a');
      expect(await second).toEqual(OK('a'));
      // The turn passes on in order.
      await hub.untilStarted(3);
      hub.release('a');
      expect(await third).toEqual(OK('a'));
      await hub.untilStarted(4);
      hub.release('a');
      expect(await other).toEqual(OK('a'));
      await hub.untilStarted(5);
      hub.release('b');
      expect(await b).toEqual(OK('b'));
      expect(hub.started).toEqual(['a', 'a', 'a', 'a', 'b']);
    });
  });

  it('lets queries alike waiting in line work in the turn of the first of them, as it starts', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const x = hub.send('x');
      await hub.untilStarted(1);
      const a = hub.send('a');
      await hub.untilWaiting(1);
      const b = hub.send('b');
      await hub.untilWaiting(2);
      const again = hub.send('a');
      await hub.untilWaiting(3);
      hub.release('x');
      expect(await x).toEqual(OK('x'));
      // The first a starts; the second, behind b in line, works with it in its turn.
      await hub.untilStarted(3);
      expect(hub.started).toEqual(['x', 'a', 'a']);
      expect(await hub.requests()).toEqual({ running: 1, waiting: 1 });
      hub.release('a');
      expect(await Promise.all([a, again])).toEqual([OK('a'), OK('a')]);
      await hub.untilStarted(4);
      hub.release('b');
      expect(await b).toEqual(OK('b'));
      expect(await hub.requests()).toEqual({ running: 0, waiting: 0 });
    });
  });

  it('never joins a mutation to one the same: each does its whole work in a turn of its own', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const first = hub.send('m', {}, 'mutation { write');
      await hub.untilStarted(1);
      const again = hub.send('m', {}, 'mutation { write');
      await hub.untilWaiting(1);
      expect(hub.started).toEqual(['m']);
      hub.release('m');
      await hub.untilStarted(2);
      hub.release('m');
      const written = { status: 200, retryAfter: null, body: { data: { write: 'm' } } };
      expect(await Promise.all([first, again])).toEqual([written, written]);
    });
  });

  it('refuses a request beyond those waiting at once, 503 OVERLOADED with Retry-After, running nothing of it', async () => {
    await withHoldingHub({ running: 1, waiting: 1 }, async (hub) => {
      const a = hub.send('a');
      await hub.untilStarted(1);
      const b = hub.send('b');
      await hub.untilWaiting(1);
      const c = await hub.send('c');
      expect(c.status).toBe(503);
      expect(c.retryAfter).toBe('1');
      expect(c.body.errors[0].extensions.code).toBe('OVERLOADED');
      expect(c.body.errors[0].message).toMatch(/nothing was run or changed/);
      hub.release('a');
      await hub.untilStarted(2);
      hub.release('b');
      expect(await Promise.all([a, b])).toEqual([OK('a'), OK('b')]);
      expect(hub.started).toEqual(['a', 'b']);
    });
  });

  it('refuses a request still waiting at its time limit, 503 TIMEOUT, and never runs it', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const a = hub.send('a');
      await hub.untilStarted(1);
      const asked = Date.now();
      const b = await hub.send('b', { 'x-hub-timeout-ms': '200' });
      expect(Date.now() - asked).toBeGreaterThanOrEqual(190);
      expect(b.status).toBe(503);
      expect(b.retryAfter).toBe('1');
      expect(b.body.errors[0].extensions.code).toBe('TIMEOUT');
      expect(await hub.requests()).toEqual({ running: 1, waiting: 0 });
      hub.release('a');
      expect(await a).toEqual(OK('a'));
      // The line moves on: b's place is not waited for.
      const c = hub.send('c');
      await hub.untilStarted(2);
      hub.release('c');
      expect(await c).toEqual(OK('c'));
      expect(hub.started).toEqual(['a', 'c']);
    });
  });

  it('answers a request that needs no turn at once, however many work or wait', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const a = hub.send('a');
      await hub.untilStarted(1);
      const b = hub.send('b');
      await hub.untilWaiting(1);
      const kept = await fetch(hub.listener.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ kept }"}' });
      expect(kept.status).toBe(200);
      expect(await kept.json()).toEqual({ data: { kept: 'kept' } });
      hub.release('a');
      await hub.untilStarted(2);
      hub.release('b');
      expect(await Promise.all([a, b])).toEqual([OK('a'), OK('b')]);
    });
  });

  it('holds a turn until the work ends, though the request was answered at its time limit', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const a = await hub.send('a', { 'x-hub-timeout-ms': '100' });
      expect(a.status).toBe(503);
      expect(a.body.errors[0].extensions.code).toBe('TIMEOUT');
      // a's resolver still runs: b waits for it, however long a's answer has been sent.
      const b = hub.send('b');
      await hub.untilWaiting(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(hub.started).toEqual(['a']);
      hub.release('a');
      await hub.untilStarted(2);
      hub.release('b');
      expect(await b).toEqual(OK('b'));
    });
  });

  it('drops a waiting request whose client went away, running nothing of it', async () => {
    await withHoldingHub({ running: 1, waiting: 10 }, async (hub) => {
      const a = hub.send('a');
      await hub.untilStarted(1);
      const { port } = new URL(hub.listener.url);
      const body = '{"query":"{ hold(id: \\"gone\\") }"}';
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await hub.untilWaiting(1);
      socket.destroy();
      // Once the server has seen the socket close.
      await new Promise((resolve) => setTimeout(resolve, 50));
      hub.release('a');
      expect(await a).toEqual(OK('a'));
      const c = hub.send('c');
      await hub.untilStarted(2);
      hub.release('c');
      expect(await c).toEqual(OK('c'));
      expect(hub.started).toEqual(['a', 'c']);
    });
  });

  it('lets go of a request once its turn has come: the line holds nothing of those it let through', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const limit = new ConcurrencyLimit({ running: 1, waiting: 100 });
    const ends = new Map<number, () => void>();
    /** Each request's deadline, seen weakly: once it has ended, only the line could still hold it. */
    const seen: WeakRef<Deadline>[] = [];
    const ask = async (index: number) => {
      const deadline = new Deadline(Date.now() + 60_000);
      seen[index] = new WeakRef(deadline);
      const turn = limit.turn(deadline, null, () => `request ${index}`);
      await turn.take();
      ends.set(index, () => turn.end());
    };
    const endAndNext = async (index: number) => {
      ends.get(index)?.();
      ends.delete(index);
      await asked[index + 1];
    };
    // The first works and forty wait; the line never empties while the first thirty go through.
    const asked = Array.from({ length: 41 }, (_, index) => ask(index));
    await asked[0];
    for (let index = 0; index < 30; index += 1) await endAndNext(index);
    expect(limit.waiting).toBe(10);
    // A WeakRef's target is kept until the job that made or read it ends: the loop above may
    // have run as one job of microtasks, so the collection waits for the next.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(seen.slice(0, 30).filter((deadline) => deadline.deref() !== undefined)).toHaveLength(0);
    for (let index = 30; index < 40; index += 1) await endAndNext(index);
    ends.get(40)?.();
    expect(limit.waiting).toBe(0);
  });
});
