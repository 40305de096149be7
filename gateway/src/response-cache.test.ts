import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { PUBLIC_IDENTITY } from '@hub/common';
import { currentDeadline, DataVersions, Deadline, runWithDeadline } from '@hub/db';
import type { GatewayContext } from './gateway-context.ts';
import { KeptText, ResponseCache, stringifyResult } from './response-cache.ts';

/**
 * When the response cache keeps an answer and when it reads the data versions, on an Apollo
 * Server of its own with a resolver that counts its calls and notes the table it reads, as the
 * database layer notes the tables a statement names. That answers are never stale, through the
 * hub and its databases, is test/response-cache.test.ts.
 */
function cachedServer(limits?: ConstructorParameters<typeof ResponseCache>[2], options: { plugins?: ApolloServerPlugin<GatewayContext>[]; sent?: unknown[] } = {}) {
  const counts = { resolved: 0, versionReads: 0 };
  /** The versions of the tables the cache reads: a test raises one as a committed write would. */
  const data = { version: 1, otherVersion: 1 };
  const cache = new ResponseCache(
    async () => {
      counts.versionReads += 1;
      return new DataVersions(
        new Map([
          ['pairing.projects', `${data.version}`],
          ['pairing.ceremonies', `${data.otherVersion}`],
        ]),
        undefined,
      );
    },
    new Set(['pairing']),
    limits,
  );
  const server = new ApolloServer<GatewayContext>({
    typeDefs: 'type Query { project(id: ID!): String }',
    resolvers: {
      Query: {
        project: (_: unknown, { id }: { id: string }) => {
          counts.resolved += 1;
          currentDeadline()?.reads?.tables.add('pairing.projects');
          return `project ${id}`;
        },
      },
    },
    plugins: [...(options.plugins ?? []), cache.plugin()],
    // As the gateway sends answers, noting what it was given to send.
    stringifyResult: (result) => {
      options.sent?.push(result.data);
      return stringifyResult(result);
    },
  });
  const ask = async (id: string) => {
    // Every request the hub serves runs under a deadline, which carries the tables it reads.
    const response = await runWithDeadline(Deadline.after(10_000), () =>
      server.executeOperation(
        { query: 'query Project($id: ID!) { project(id: $id) }', variables: { id } },
        { contextValue: { identity: PUBLIC_IDENTITY } as GatewayContext },
      ),
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.data).toEqual({ project: `project ${id}` });
  };
  /** The answer's body as it goes out over HTTP. */
  const askOverHttp = async (id: string) => {
    const response = await runWithDeadline(Deadline.after(10_000), () =>
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: 'POST',
          headers: new HeaderMap([['content-type', 'application/json']]),
          search: '',
          body: { query: 'query Project($id: ID!) { project(id: $id) }', variables: { id } },
        },
        context: async () => ({ identity: PUBLIC_IDENTITY }) as GatewayContext,
      }),
    );
    if (response.body.kind !== 'complete') throw new Error('expected a complete body');
    return response.body.string;
  };
  return { server, counts, data, ask, askOverHttp };
}

describe('the response cache keeps what is asked again', () => {
  it('keeps an answer the second time its question is asked, and gives it from the third on', async () => {
    const { server, counts, ask } = cachedServer();
    await server.start();
    try {
      await ask('a');
      expect(counts).toEqual({ resolved: 1, versionReads: 0 });
      await ask('a');
      expect(counts).toEqual({ resolved: 2, versionReads: 1 });
      await ask('a');
      await ask('a');
      expect(counts).toEqual({ resolved: 2, versionReads: 3 });
    } finally {
      await server.stop();
    }
  });

  it('reads no version and keeps nothing for questions asked once, so they push out nothing kept', async () => {
    const { server, counts, ask } = cachedServer();
    await server.start();
    try {
      // One question asked again and again: kept.
      await ask('often');
      await ask('often');
      // A crawl of 3,000 questions, each asked once: more than the cache keeps (2,000).
      for (let n = 0; n < 3_000; n++) await ask(`once-${n}`);
      expect(counts.versionReads).toBe(1);
      const resolved = counts.resolved;
      await ask('often');
      expect(counts.resolved).toBe(resolved);
    } finally {
      await server.stop();
    }
  });

  it('drops the least recently used answers past the size limit, and keeps none larger than an eighth of it', async () => {
    // {"data":{"project":"project k10"}}: 34 characters as JSON; 29 of them fit in 1,000.
    const { server, counts, ask } = cachedServer({ maxEntries: 100, maxChars: 1_000 });
    await server.start();
    try {
      const keys = Array.from({ length: 40 }, (_, n) => `k${n + 10}`);
      for (const key of keys) {
        await ask(key);
        await ask(key);
      }
      let resolved = counts.resolved;
      await ask(keys.at(-1)!);
      expect(counts.resolved, 'the newest answer is kept').toBe(resolved);
      await ask(keys[0]!);
      expect(counts.resolved, 'the oldest answer was dropped').toBe(resolved + 1);

      const large = `large-${'x'.repeat(200)}`;
      await ask(large);
      await ask(large);
      resolved = counts.resolved;
      await ask(large);
      expect(counts.resolved, 'an answer over an eighth of the limit is not kept').toBe(resolved + 1);
    } finally {
      await server.stop();
    }
  });

  it('keeps an answer made anew after each write in place of the old one, counting its size once', async () => {
    // Room for eight answers of 34 characters (and none over an eighth is kept): an old answer
    // still counted after it was replaced would fill the room within eight writes.
    const { server, counts, data, ask } = cachedServer({ maxEntries: 100, maxChars: 300 });
    await server.start();
    try {
      await ask('k10');
      await ask('k10');
      for (let write = 0; write < 10; write++) {
        data.version += 1;
        const resolved = counts.resolved;
        await ask('k10');
        expect(counts.resolved, 'a miss after the write').toBe(resolved + 1);
        await ask('k10');
        expect(counts.resolved, 'kept again at the new version').toBe(resolved + 1);
      }
    } finally {
      await server.stop();
    }
  });

  it('keeps an answer through a write to a table it was not read from', async () => {
    const { server, counts, data, ask } = cachedServer();
    await server.start();
    try {
      await ask('a');
      await ask('a');
      const resolved = counts.resolved;
      data.otherVersion += 1;
      await ask('a');
      expect(counts.resolved, 'a write to pairing.ceremonies leaves it kept').toBe(resolved);
      data.version += 1;
      await ask('a');
      expect(counts.resolved, 'a write to pairing.projects makes it a miss').toBe(resolved + 1);
    } finally {
      await server.stop();
    }
  });
});

/**
 * A server whose resolver reads the data's version as it begins (its rows), then waits while
 * the test holds it: so that other questions arrive, and writes commit, while an answer is
 * being made.
 */
function heldServer() {
  const counts = { resolved: 0, versionReads: 0 };
  const data = { version: 1 };
  let held: Promise<void> | undefined;
  let failNext = false;
  const cache = new ResponseCache(
    async () => {
      counts.versionReads += 1;
      return new DataVersions(new Map([['pairing.projects', `${data.version}`]]), undefined);
    },
    new Set(['pairing']),
  );
  const server = new ApolloServer<GatewayContext>({
    typeDefs: 'type Query { project(id: ID!): String }',
    resolvers: {
      Query: {
        project: async (_: unknown, { id }: { id: string }) => {
          counts.resolved += 1;
          currentDeadline()?.reads?.tables.add('pairing.projects');
          const read = `project ${id} at version ${data.version}`;
          const failing = failNext;
          failNext = false;
          if (held) await held;
          if (failing) throw new Error('the database went away');
          return read;
        },
      },
    },
    plugins: [cache.plugin()],
  });
  const ask = async (id: string, identity = PUBLIC_IDENTITY) => {
    const response = await runWithDeadline(Deadline.after(10_000), () =>
      server.executeOperation(
        { query: 'query Project($id: ID!) { project(id: $id) }', variables: { id } },
        { contextValue: { identity } as GatewayContext },
      ),
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  /** Holds every answer being made until the function returned is called. */
  const hold = () => {
    let release!: () => void;
    held = new Promise((resolve) => (release = resolve));
    return () => {
      held = undefined;
      release();
    };
  };
  /** Resolves once `count` version reads have been made in all. */
  const versionReads = async (count: number) => {
    while (counts.versionReads < count) await new Promise((resolve) => setTimeout(resolve, 1));
  };
  /** `a` asked twice, so that its answer is kept, then a write that makes a miss of it. */
  const keptThenWritten = async () => {
    await ask('a');
    await ask('a');
    data.version += 1;
  };
  return { server, counts, data, ask, hold, versionReads, keptThenWritten, failNextAnswer: () => (failNext = true) };
}

describe('a question asked while its answer is being made', () => {
  it('waits for that answer instead of making it again', async () => {
    const { server, counts, ask, hold, versionReads, keptThenWritten } = heldServer();
    await server.start();
    try {
      await keptThenWritten();
      const release = hold();
      const reads = counts.versionReads;
      const asked = Array.from({ length: 5 }, () => ask('a'));
      // Every one of them past its versions, the first making the answer, before it is made.
      await versionReads(reads + 5);
      expect(counts.resolved).toBe(3);
      release();
      for (const result of await Promise.all(asked)) expect(result).toEqual({ data: { project: 'project a at version 2' } });
      expect(counts.resolved, 'made once for the five').toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('makes its own when a write committed after the answer being made had read its versions', async () => {
    const { server, counts, data, ask, hold, versionReads, keptThenWritten } = heldServer();
    await server.start();
    try {
      await keptThenWritten();
      const release = hold();
      const reads = counts.versionReads;
      const first = ask('a');
      await versionReads(reads + 1);
      // The first has read its versions and its rows (version 2); a write commits, then the
      // second asks, reads version 3 and finds the answer still being made.
      data.version += 1;
      const second = ask('a');
      await versionReads(reads + 2);
      release();
      expect(await first).toEqual({ data: { project: 'project a at version 2' } });
      expect(await second, 'it shows the write committed before it was asked').toEqual({ data: { project: 'project a at version 3' } });
      expect(counts.resolved).toBe(4);
    } finally {
      await server.stop();
    }
  });

  it('makes its own when the answer being made fails', async () => {
    const { server, counts, ask, hold, versionReads, keptThenWritten, failNextAnswer } = heldServer();
    await server.start();
    try {
      await keptThenWritten();
      failNextAnswer();
      const release = hold();
      const reads = counts.versionReads;
      const first = ask('a');
      const second = ask('a');
      await versionReads(reads + 2);
      release();
      expect((await first).errors).toHaveLength(1);
      expect(await second).toEqual({ data: { project: 'project a at version 2' } });
      expect(counts.resolved).toBe(4);
    } finally {
      await server.stop();
    }
  });

  it('never takes the answer being made for another caller', async () => {
    const { server, counts, data, ask, hold, versionReads } = heldServer();
    const member = { role: 'FOUNDATION_MEMBER', subject: 'member-1', organizationId: 'js-1' } as const;
    await server.start();
    try {
      await ask('a');
      await ask('a');
      await ask('a', member);
      await ask('a', member);
      data.version += 1;
      const release = hold();
      const reads = counts.versionReads;
      const asked = [ask('a'), ask('a', member)];
      await versionReads(reads + 2);
      release();
      await Promise.all(asked);
      expect(counts.resolved, 'one answer made for each caller').toBe(6);
    } finally {
      await server.stop();
    }
  });
});

describe('a kept answer over HTTP', () => {
  it('goes out as the text it was kept as, not parsed and serialized again', async () => {
    const sent: unknown[] = [];
    const { server, counts, askOverHttp } = cachedServer(undefined, { sent });
    await server.start();
    try {
      const made = await askOverHttp('a');
      expect(JSON.parse(made)).toEqual({ data: { project: 'project a' } });
      await askOverHttp('a');
      const given = await askOverHttp('a');
      expect(counts.resolved).toBe(2);
      expect(given).toBe(made);
      expect(sent.at(-1), 'given as its text').toBeInstanceOf(KeptText);
    } finally {
      await server.stop();
    }
  });

  it('goes out whole beside extensions a plugin adds to it', async () => {
    let asked = 0;
    const extending: ApolloServerPlugin<GatewayContext> = {
      async requestDidStart() {
        asked += 1;
        return {
          async willSendResponse({ response }) {
            if (response.body.kind === 'single') response.body.singleResult.extensions = { asked };
          },
        };
      },
    };
    const { server, askOverHttp } = cachedServer(undefined, { plugins: [extending] });
    await server.start();
    try {
      for (let asking = 0; asking < 2; asking++) await askOverHttp('a');
      expect(JSON.parse(await askOverHttp('a'))).toEqual({ data: { project: 'project a' }, extensions: { asked: 3 } });
    } finally {
      await server.stop();
    }
  });
});
