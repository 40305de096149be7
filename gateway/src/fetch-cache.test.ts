import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { describe, expect, it } from 'vitest';
import { PUBLIC_IDENTITY, type Identity } from '@hub/common';
import { currentDeadline, currentFetchReads, Deadline, runWithDeadline } from '@hub/db';
import { FetchCache } from './fetch-cache.ts';
import type { GatewayContext } from './gateway-context.ts';
import { RequestVersions } from './request-versions.ts';

/**
 * When the fetch cache keeps a subgraph's answer, with which tables, and when it gives it again:
 * on data sources of its own, whose "statements" note the tables they name as the database
 * layer does. That a pipeline page through the hub is never stale after a pledge, and what its
 * kept fetches save, is test/fetch-cache.test.ts.
 */

/** Tables and their rows, with the versions a committed write raises. */
function tables() {
  const rows = new Map<string, string>([
    ['pairing.project_pipeline', 'a page of projects'],
    ['shaanxi.county', '镇安县'],
    ['jiangsu.funding_project_total', '100 fen'],
  ]);
  const versions = new Map<string, number>([...rows.keys()].map((table) => [table, 1]));
  return {
    rows,
    versions,
    write(table: string, row: string) {
      rows.set(table, row);
      versions.set(table, versions.get(table)! + 1);
    },
    /** A statement: notes the table as the database layer does, in the request's reads and the fetch's. */
    read(table: string): string {
      currentDeadline()?.reads?.tables.add(table);
      currentFetchReads()?.tables.add(table);
      return rows.get(table)!;
    },
  };
}

type Tables = ReturnType<typeof tables>;

function fetchCache(data: Tables) {
  const counts = { versionReads: 0 };
  const versions = new RequestVersions(async () => {
    counts.versionReads += 1;
    return new Map([...data.versions].map(([table, version]) => [table, String(version)]));
  });
  return { cache: new FetchCache(versions, new Set(['pairing', 'shaanxi', 'jiangsu'])), counts };
}

/** A subgraph whose one field reads `table`, counting its runs. */
function subgraph(data: Tables, table: string) {
  const runs = { count: 0 };
  const source: GraphQLDataSource = {
    async process() {
      runs.count += 1;
      return { data: { field: data.read(table) } };
    },
  };
  return { source, runs };
}

/** One gateway request: a context of its own, under a deadline that notes the tables it reads. */
async function request<T>(work: (fetch: (source: GraphQLDataSource, query?: string) => Promise<GatewayGraphQLResponse>) => Promise<T>, options: { identity?: Identity; operation?: 'query' | 'mutation'; uncached?: boolean } = {}) {
  const context: GatewayContext = { requestId: 'test', identity: options.identity ?? PUBLIC_IDENTITY, ...(options.uncached ? { uncached: true } : {}) };
  const deadline = Deadline.after(10_000);
  deadline.operation = options.operation ?? 'query';
  deadline.reads = { schemas: new Set(['pairing', 'shaanxi', 'jiangsu']), tables: new Set(), unknown: false };
  const result = await runWithDeadline(deadline, () =>
    work((source, query = '{ field }') =>
      source.process({ kind: 'incoming operation', request: { query, variables: {} }, context } as unknown as GraphQLDataSourceProcessOptions),
    ),
  );
  return { result, reads: deadline.reads.tables };
}

/** A subgraph whose one field reads `table`, its fetch asked three times: kept on the second asking, given on the third. */
async function keptFetch(name: string, table: string) {
  const data = tables();
  const { cache } = fetchCache(data);
  const { source, runs } = subgraph(data, table);
  const kept = cache.wrap(name, source);
  for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept));
  expect(runs.count).toBe(2);
  return { data, kept, runs };
}

describe('the fetch cache', () => {
  it('keeps a fetch the second time it is asked, and gives a fresh copy of it from the third on', async () => {
    const data = tables();
    const { cache, counts } = fetchCache(data);
    const { source, runs } = subgraph(data, 'shaanxi.county');
    const kept = cache.wrap('shaanxi', source);

    await request((fetch) => fetch(kept));
    expect(counts.versionReads, 'the first asking reads no versions').toBe(0);
    await request((fetch) => fetch(kept));
    expect(runs.count).toBe(2);

    const third = await request((fetch) => fetch(kept));
    expect(runs.count, 'the third asking is given what the second kept').toBe(2);
    expect(third.result).toEqual({ data: { field: '镇安县' } });
    expect([...third.reads], 'the tables it was read from count as read by the request').toEqual(['shaanxi.county']);

    // The gateway builds its answer in the fetch's object: each request has its own.
    (third.result.data as { field: string }).field = 'changed by the gateway';
    expect((await request((fetch) => fetch(kept))).result).toEqual({ data: { field: '镇安县' } });
  });

  it('runs a fetch again once a table it was read from is written, and keeps it through writes to other tables', async () => {
    const { data, kept, runs } = await keptFetch('shaanxi', 'shaanxi.county');

    data.write('jiangsu.funding_project_total', '101 fen');
    await request((fetch) => fetch(kept));
    expect(runs.count, 'a pledge leaves the counties kept').toBe(2);

    data.write('shaanxi.county', '镇安县（改）');
    const after = await request((fetch) => fetch(kept));
    expect(runs.count).toBe(3);
    expect(after.result).toEqual({ data: { field: '镇安县（改）' } });
  });

  it('keeps a fetch with the tables every fetch of its subgraph in the request read: their rows may answer it', async () => {
    const data = tables();
    const { cache } = fetchCache(data);
    // One subgraph, two fields: the second answered from what the first loaded in the same request,
    // as a subgraph's DataLoaders answer a later fetch from an earlier one's rows.
    const loaded = new WeakMap<object, string>();
    let secondRuns = 0;
    const source: GraphQLDataSource = {
      async process({ request, context }) {
        if (request.query === '{ first }') {
          loaded.set(context as object, data.read('jiangsu.funding_project_total'));
          return { data: { first: true } };
        }
        secondRuns += 1;
        return { data: { second: loaded.get(context as object) ?? data.read('jiangsu.funding_project_total') } };
      },
    };
    const kept = cache.wrap('jiangsu', source);
    const page = () =>
      request(async (fetch) => {
        await fetch(kept, '{ first }');
        return fetch(kept, '{ second }');
      });
    await page();
    await page();
    expect((await page()).result).toEqual({ data: { second: '100 fen' } });
    expect(secondRuns).toBe(2);

    data.write('jiangsu.funding_project_total', '101 fen');
    expect((await page()).result, 'the second fetch read no table itself, but was answered from one').toEqual({ data: { second: '101 fen' } });
  });

  it('keeps nothing a fetch may have answered from rows read before the request read its versions', async () => {
    const data = tables();
    const { cache } = fetchCache(data);
    const loaded = new WeakMap<object, string>();
    const source: GraphQLDataSource = {
      async process({ request, context }) {
        if (request.query === '{ first }') {
          loaded.set(context as object, data.read('jiangsu.funding_project_total'));
          return { data: { first: true } };
        }
        return { data: { second: loaded.get(context as object) ?? data.read('jiangsu.funding_project_total') } };
      },
    };
    const kept = cache.wrap('jiangsu', source);
    // `{ second }` asked once alone: asked again, it is a second asking, and reads the versions.
    await request((fetch) => fetch(kept, '{ second }'));
    await request(async (fetch) => {
      // `{ first }` is asked for the first time: it runs with no versions read, loading the rows …
      await fetch(kept, '{ first }');
      // … a pledge commits …
      data.write('jiangsu.funding_project_total', '101 fen');
      // … and `{ second }` reads the versions (the pledge's), and is answered from the rows before it.
      return fetch(kept, '{ second }');
    });
    const after = await request((fetch) => fetch(kept, '{ second }'));
    expect(after.result, 'what the second fetch gave was not kept under the pledge\'s version').toEqual({ data: { second: '101 fen' } });
  });

  it('never gives one caller the fetch made for another', async () => {
    const { kept, runs } = await keptFetch('jiangsu', 'jiangsu.funding_project_total');
    const member: Identity = { role: 'FOUNDATION_MEMBER', organizationId: 'js-ruihua-charity-foundation', subject: 'member' } as Identity;
    await request((fetch) => fetch(kept), { identity: member });
    await request((fetch) => fetch(kept), { identity: { ...member, organizationId: 'js-other-foundation' } });
    expect(runs.count).toBe(4);
  });

  it('keeps nothing of a mutation, nor of a download', async () => {
    const data = tables();
    const { cache, counts } = fetchCache(data);
    const { source, runs } = subgraph(data, 'jiangsu.funding_project_total');
    const kept = cache.wrap('jiangsu', source);
    for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept), { operation: 'mutation' });
    for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept), { uncached: true });
    expect(runs.count).toBe(6);
    expect(counts.versionReads).toBe(0);
  });
});
