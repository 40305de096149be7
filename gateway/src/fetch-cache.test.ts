import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { describe, expect, it } from 'vitest';
import { PUBLIC_IDENTITY, type Identity } from '@hub/common';
import { currentDeadline, currentFetchReads, DataVersions, Deadline, KeyVersions, noReads, noteRowsRead, runWithDeadline, type DataVersionRow } from '@hub/db';
import { FetchCache } from './fetch-cache.ts';
import type { GatewayContext } from './gateway-context.ts';
import { RequestVersions } from './request-versions.ts';
import type { PeerTransport } from '@hub/server';

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
      for (const reads of currentFetchReads()) reads.tables.add(table);
      return rows.get(table)!;
    },
  };
}

type Tables = ReturnType<typeof tables>;

function fetchCache(data: Tables) {
  const counts = { versionReads: 0 };
  const versions = new RequestVersions(async () => {
    counts.versionReads += 1;
    return new DataVersions(new Map([...data.versions].map(([table, version]) => [table, String(version)])), undefined);
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
async function request<T>(work: (fetch: (source: GraphQLDataSource, query?: string, variables?: Record<string, unknown>) => Promise<GatewayGraphQLResponse>) => Promise<T>, options: { identity?: Identity; operation?: 'query' | 'mutation'; uncached?: boolean } = {}) {
  const context: GatewayContext = { requestId: 'test', identity: options.identity ?? PUBLIC_IDENTITY, ...(options.uncached ? { uncached: true } : {}) };
  const deadline = Deadline.after(10_000);
  deadline.operation = options.operation ?? 'query';
  const reads = noReads(new Set(['pairing', 'shaanxi', 'jiangsu']));
  deadline.reads = reads;
  const result = await runWithDeadline(deadline, () =>
    work((source, query = '{ field }', variables = {}) =>
      source.process({ kind: 'incoming operation', request: { query, variables }, context } as unknown as GraphQLDataSourceProcessOptions),
    ),
  );
  return { result, reads: reads.tables };
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

  it('never gives a fetch made for other variables', async () => {
    const data = tables();
    const { cache } = fetchCache(data);
    const echo: GraphQLDataSource = {
      async process(options) {
        data.read('pairing.project_pipeline');
        return { data: { field: options.request.variables?.id } };
      },
    };
    const kept = cache.wrap('pairing', echo);
    for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept, '{ field }', { id: 'a' }));
    expect((await request((fetch) => fetch(kept, '{ field }', { id: 'b' }))).result).toEqual({ data: { field: 'b' } });
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

  describe('a subgraph\'s reads of its peers', () => {
    const service = { role: 'SERVICE', organizationId: null, subject: 'subgraph:pairing' } as unknown as Identity;

    /** The pairing's fetch, which asks Shaanxi (through the kept way) for what it ranks. */
    function ranking(data: Tables) {
      const { cache } = fetchCache(data);
      const peerRuns = { count: 0 };
      const toShaanxi: PeerTransport = async () => {
        peerRuns.count += 1;
        return { data: { needs: data.read('shaanxi.county') } };
      };
      const peer = cache.wrapPeer('shaanxi', toShaanxi);
      const pairing: GraphQLDataSource = {
        async process() {
          const needs = (await peer('query Needs { needs }', {}, service)) as { data: { needs: string } };
          return { data: { ranked: `${needs.data.needs} · ${data.read('jiangsu.funding_project_total')}` } };
        },
      };
      return { kept: cache.wrap('pairing', pairing), peerRuns };
    }

    it('keeps a read of a peer, runs it again after a write to a table it read, and not after another write', async () => {
      const data = tables();
      const { kept, peerRuns } = ranking(data);
      for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept));
      data.write('jiangsu.funding_project_total', '101 fen');
      const afterPledge = await request((fetch) => fetch(kept));
      expect(afterPledge.result).toEqual({ data: { ranked: '镇安县 · 101 fen' } });
      expect(peerRuns.count, 'the fetch ran again, its read of Shaanxi did not').toBe(2);

      data.write('shaanxi.county', '镇安县（改）');
      expect((await request((fetch) => fetch(kept))).result).toEqual({ data: { ranked: '镇安县（改） · 101 fen' } });
      expect(peerRuns.count).toBe(3);
    });

    it('counts what a read of a peer read as read by the fetch it ran within', async () => {
      const data = tables();
      const { kept } = ranking(data);
      for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept));
      data.write('shaanxi.county', '镇安县（改）');
      expect((await request((fetch) => fetch(kept))).result).toEqual({ data: { ranked: '镇安县（改） · 100 fen' } });
    });

    it('counts the tables of a kept read of a peer as read by the fetch it was given within', async () => {
      const data = tables();
      const { kept } = ranking(data);
      // Asked until both the fetch and its read of Shaanxi are kept, then once more: the fetch is
      // kept again from a run whose read of Shaanxi came from the cache.
      for (let asking = 0; asking < 3; asking++) await request((fetch) => fetch(kept));
      data.write('jiangsu.funding_project_total', '101 fen');
      for (let asking = 0; asking < 2; asking++) await request((fetch) => fetch(kept));

      data.write('shaanxi.county', '镇安县（改）');
      const after = await request((fetch) => fetch(kept));
      expect(after.result, 'the fetch was kept with the county, though its own run read it from the cache').toEqual({ data: { ranked: '镇安县（改） · 101 fen' } });
    });

    it('keeps no write to a peer, nor a read of one under a mutation', async () => {
      const { cache } = fetchCache(tables());
      const runs = { count: 0 };
      const counting = cache.wrapPeer('shaanxi', async () => {
        runs.count += 1;
        return { data: { done: true } };
      });
      for (let asking = 0; asking < 3; asking++) await request(() => counting('mutation Publish { publish }', {}, service));
      for (let asking = 0; asking < 3; asking++) await request(() => counting('query Needs { needs }', {}, service), { operation: 'mutation' });
      expect(runs.count).toBe(6);
    });
  });
});

describe("a peer's entities, kept one by one", () => {
  const service = { role: 'SERVICE', organizationId: null, subject: 'subgraph:pairing' } as unknown as Identity;
  const TOTALS = 'jiangsu.funding_project_total';
  const ORGANIZATIONS = 'jiangsu.organization';

  /**
   * Jiangsu's books: each project's total, in a table versioned by project (as 0042 has it), and
   * the organizations, versioned whole. Each write raises its table's version; a total's write
   * notes its project's key at that version.
   */
  function books(projects: string[]) {
    const totals = new Map(projects.map((id) => [id, 100]));
    const versions = new Map([[TOTALS, 1], [ORGANIZATIONS, 1]]);
    const keyWrites: DataVersionRow[] = [];
    const keys = new KeyVersions();
    keys.add({ [TOTALS]: 'project_id' });
    const counts = { versionReads: 0 };
    const readVersions = new RequestVersions(async () => {
      counts.versionReads += 1;
      return keys.take([...[...versions].map(([table, version]) => ({ table_name: table, version: String(version), key: null })), ...keyWrites]);
    });
    return {
      cache: new FetchCache(readVersions, new Set(['jiangsu'])),
      counts,
      totals,
      pledge(id: string) {
        totals.set(id, totals.get(id)! + 1);
        versions.set(TOTALS, versions.get(TOTALS)! + 1);
        keyWrites.push({ table_name: TOTALS, version: String(versions.get(TOTALS)), key: id });
      },
      renameOrganizations() {
        versions.set(ORGANIZATIONS, versions.get(ORGANIZATIONS)! + 1);
      },
    };
  }

  /**
   * Jiangsu answering `_entities` from its books, noting what it reads as the database layer
   * does (the keys of a UUID column in lower case); `readKeys` are the keys its statement names.
   */
  function jiangsu(data: ReturnType<typeof books>, readKeys: (ids: string[]) => string[] = (ids) => ids) {
    const asked: string[][] = [];
    const transport: PeerTransport = async (_document, variables) => {
      const ids = (variables.representations as { id: string }[]).map((representation) => representation.id);
      asked.push(ids);
      for (const reads of [currentDeadline()?.reads, ...currentFetchReads()]) {
        if (!reads) continue;
        noteRowsRead(reads, TOTALS, 'project_id', readKeys(ids).map((id) => id.toLowerCase()));
        reads.tables.add(ORGANIZATIONS);
      }
      if (ids.includes('unknown')) return { data: { _entities: ids.map(() => null) }, errors: [{ message: 'no such project', path: ['_entities', 0] }] };
      return { data: { _entities: ids.map((id) => ({ id, pledged: { fen: data.totals.get(id.toLowerCase()) } })) } };
    };
    return { peer: data.cache.wrapPeer('jiangsu', transport), asked };
  }

  const DOCUMENT = 'query Money($representations: [_Any!]!) { _entities(representations: $representations) { ... on Project { id pledged { fen } } } }';
  /** One request's read of `ids`: the entities, and the tables and rows of the totals it counts as read. */
  const read = (peer: PeerTransport, ids: string[], required: Record<string, unknown> = {}) =>
    request(async () => {
      const answer = (await peer(DOCUMENT, { representations: ids.map((id) => ({ __typename: 'Project', id, ...required })) }, service)) as {
        data: { _entities: { id: string; pledged: { fen: number } }[] };
      };
      return { entities: answer.data._entities, rowsRead: [...(currentDeadline()!.reads!.rows.get(TOTALS)?.keys ?? [])].sort() };
    }).then(({ result, reads }) => ({ ...result, tablesRead: reads }));

  it('after a pledge to one project, reads that one project alone and shows it; the others are given as kept', async () => {
    const data = books(['a', 'b', 'c']);
    const { peer, asked } = jiangsu(data);
    await read(peer, ['a', 'b', 'c']);
    expect(data.counts.versionReads, 'the first asking reads no versions').toBe(0);
    for (let asking = 0; asking < 2; asking++) await read(peer, ['a', 'b', 'c']);
    expect(asked, 'kept the second time it was asked').toEqual([['a', 'b', 'c'], ['a', 'b', 'c']]);

    data.pledge('b');
    const after = await read(peer, ['a', 'b', 'c']);
    expect(asked.at(-1)).toEqual(['b']);
    expect(after.entities.map((entity) => [entity.id, entity.pledged.fen])).toEqual([['a', 100], ['b', 101], ['c', 100]]);
    const given = await read(peer, ['a', 'b', 'c']);
    expect(asked).toHaveLength(3);
    expect(given.tablesRead, 'the given entities count as read by the request: their tables').toContain(ORGANIZATIONS);
    expect(given.rowsRead, 'and their rows').toEqual(['a', 'b', 'c']);
  });

  it('reads an entity asked by its id in capitals again after a write of its rows, which are noted in lower case', async () => {
    const data = books(['a']);
    const { peer } = jiangsu(data);
    for (let asking = 0; asking < 3; asking++) await read(peer, ['a', 'A']);
    data.pledge('a');
    expect((await read(peer, ['a', 'A'])).entities.map((entity) => entity.pledged.fen)).toEqual([101, 101]);
  });

  it('reads every entity again after a write to a table read whole', async () => {
    const data = books(['a', 'b']);
    const { peer, asked } = jiangsu(data);
    for (let asking = 0; asking < 2; asking++) await read(peer, ['a', 'b']);
    data.renameOrganizations();
    await read(peer, ['a', 'b']);
    expect(asked).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
  });

  it('reads an entity again when it is asked with other required fields than it was kept with', async () => {
    const data = books(['a', 'b']);
    const { peer, asked } = jiangsu(data);
    for (let asking = 0; asking < 2; asking++) await read(peer, ['a', 'b'], { amountSought: { fen: 500 } });
    await read(peer, ['a', 'b'], { amountSought: { fen: 600 } });
    expect(asked).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
  });

  it("keeps nothing entity by entity of a read that named rows of a key none of its entities' ids", async () => {
    const data = books(['a', 'b', 'c']);
    // Each entity's answer may hang on the rows of `c` too, which is not among those asked.
    const { peer, asked } = jiangsu(data, (ids) => [...ids, 'c']);
    for (let asking = 0; asking < 2; asking++) await read(peer, ['a', 'b']);
    data.pledge('c');
    expect((await read(peer, ['a', 'b'])).entities.map((entity) => entity.id)).toEqual(['a', 'b']);
    expect(asked, 'read again whole').toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
  });

  it('answers a read with an error by running it whole, and keeps none of it', async () => {
    const data = books(['a']);
    const { peer, asked } = jiangsu(data);
    for (let asking = 0; asking < 2; asking++) await read(peer, ['a']);
    const failed = await request(() => peer(DOCUMENT, { representations: [{ __typename: 'Project', id: 'unknown' }, { __typename: 'Project', id: 'a' }] }, service));
    expect((failed.result as { errors: { path: unknown[] }[] }).errors[0]!.path, 'the error names the entity where it was asked').toEqual(['_entities', 0]);
    expect(asked.slice(-2)).toEqual([['unknown'], ['unknown', 'a']]);
  });
});
