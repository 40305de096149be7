import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
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

describe('a listener draining while its event loop is blocked', () => {
  it('answers every client that connected during the block before it stops listening', async () => {
    const listener = await listenHttp({ port: 0 });
    const origin = new URL(listener.url).origin;
    // The clients run on a thread of their own, so they connect while this thread is busy:
    // the kernel completes their handshakes and queues them until the listener accepts.
    const clients = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const http = require('node:http');
       parentPort.once('message', async () => {
         const outcomes = await Promise.all(Array.from({ length: workerData.count }, () => new Promise((resolve) => {
           http.get(workerData.origin + '/livez', { agent: false }, (response) => {
             response.resume();
             response.on('end', () => resolve(response.statusCode));
           }).on('error', (error) => resolve(error.code ?? error.message));
         })));
         parentPort.postMessage(outcomes);
       });
       parentPort.postMessage('ready');`,
      { eval: true, workerData: { origin, count: 20 } },
    );
    try {
      await once(clients, 'message');
      // Something was just answered, so the listener is not yet quiet when the drain starts.
      expect((await fetch(`${origin}/livez`)).status).toBe(200);
      const stopped = listener.stop(5_000);
      const outcomes = once(clients, 'message');
      clients.postMessage('go');
      const blockedUntil = Date.now() + 400;
      while (Date.now() < blockedUntil) {
        // The event loop is blocked, as by a long synchronous statement in the embedded database.
      }
      expect((await outcomes)[0]).toEqual(Array(20).fill(200));
      await stopped;
    } finally {
      await clients.terminate();
      await listener.stop(0);
    }
  });
});
