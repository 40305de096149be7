import { describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { GraphQLError } from 'graphql';
import { PeerDirectory, PeerUnavailableError, httpTransport } from './peers.ts';

/** What a subgraph's caller reads when a subgraph it asked failed: a stable code, never the peer's internals. */
function askingPairing(answer: unknown) {
  const peers = new PeerDirectory();
  peers.register('shaanxi', async () => answer);
  return peers.for('pairing');
}

describe('a peer that answered with a failure', () => {
  it('passes on a domain refusal as it was given: code, message and details', async () => {
    const refusal = { message: 'No project has id "x".', extensions: { code: 'NOT_FOUND', entity: 'project', stacktrace: ['at …'] } };
    const error = await askingPairing({ errors: [refusal], data: null }).query('shaanxi', '{ x }', {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GraphQLError);
    expect(error).toMatchObject({ message: 'No project has id "x".', extensions: { code: 'NOT_FOUND', entity: 'project' } });
    expect((error as GraphQLError).extensions.stacktrace).toBeUndefined();
  });

  it('names the peer with SUBGRAPH_UNAVAILABLE when it failed inside, and keeps its words out of the message', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const internal = { message: 'Failed query: update "shaanxi"."project_need" …', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    const error = await askingPairing({ errors: [internal], data: null }).query('shaanxi', '{ x }', {}).catch((e: unknown) => e);
    vi.restoreAllMocks();

    expect(error).toBeInstanceOf(PeerUnavailableError);
    expect(error).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'shaanxi', changeMade: 'NO' }, answered: true });
    expect((error as Error).message).not.toMatch(/Failed query|project_need/);
  });
});

describe('a peer that cannot be reached', () => {
  it('is SUBGRAPH_UNAVAILABLE naming it, with the request known never to have left', async () => {
    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const peers = new PeerDirectory();
    // A port that was just free: nothing listens there, so the connection is refused.
    const port = await freePort();
    peers.register('jiangsu', httpTransport(`http://127.0.0.1:${port}/graphql`, 'jiangsu', 'a-secret-for-the-test-only-32-characters'));
    const error = await peers.for('shaanxi').query('jiangsu', '{ x }', {}).catch((e: unknown) => e);
    vi.restoreAllMocks();

    expect(error).toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'jiangsu', changeMade: 'NO' }, delivered: false });
    expect((error as Error).message).not.toMatch(/127\.0\.0\.1|ECONN/);
    // The operators get the real cause.
    expect(logged.mock.calls.map(([line]) => String(line)).join('')).toMatch(/ECONNREFUSED/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
