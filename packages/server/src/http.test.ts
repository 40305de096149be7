import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { connect } from 'node:net';
import { ApolloServer } from '@apollo/server';
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

describe('a request whose Host is not a host', () => {
  it('is refused with 400 BAD_REQUEST, not failed as an internal error', async () => {
    const listener = await listenHttp({ port: 0 });
    const server = new ApolloServer({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } });
    await server.start();
    listener.serve(server, { context: async () => ({}), health: async () => ({ down: [] }) });
    try {
      const { port } = new URL(listener.url);
      for (const host of ['a b', '[::1', '%%%']) {
        const answer = await rawPost(Number(port), host, '{"query":"{ ok }"}');
        expect(answer.status, host).toBe(400);
        expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('BAD_REQUEST');
      }
      // A good one is answered.
      const answer = await rawPost(Number(port), `127.0.0.1:${port}`, '{"query":"{ ok }"}');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ data: { ok: true } });
    } finally {
      await listener.stop(0);
      await server.stop();
    }
  });
});

/** A POST written by hand, since HTTP clients refuse to send a malformed Host. */
async function rawPost(port: number, host: string, body: string): Promise<{ status: number; body: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  await once(socket, 'close');
  const [head = '', answer = ''] = received.split('\r\n\r\n');
  // Answers here are small enough to come in one piece, and are not chunked.
  return { status: Number(head.split(' ')[1]), body: answer };
}
