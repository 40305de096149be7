import { createHash } from 'node:crypto';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { chinaDate, currentDeadline, runNotingReads, type TablesRead } from '@hub/db';
import type { GatewayContext } from './gateway-context.ts';
import { KeptAnswers, stillCurrent } from './kept-answers.ts';
import type { RequestVersions } from './request-versions.ts';

/**
 * Subgraph answers kept by the gateway, one fetch of a query plan at a time, and given again
 * while no table they were read from has changed (docs/decisions/0041-fetch-cache.md). Where a
 * whole answer is asked seldom between two writes — a pipeline page among hundreds, after a
 * pledge — its fetches that read nothing the write changed (the page's projects from the
 * pairing, their counties from Shaanxi) are given again, and only the rest runs.
 *
 * - A fetch is kept under the caller's identity, the China date, the subgraph, and the exact
 *   document and variables the gateway sent (for an entity fetch, the representations).
 * - Only fetches of query operations that ran here, with data and no error, are kept; nothing
 *   of a mutation, and nothing of a download (`uncached`).
 * - It is kept with the tables it could have been read from and their versions as the request
 *   read them before the fetch began. A subgraph keeps one context, with its DataLoaders, for
 *   all its fetches of one gateway request, so one fetch may be answered from rows another
 *   fetch of the same subgraph loaded: every fetch runs noting the tables its own statements
 *   name (its subgraph's, and those of the peers its resolvers ask), and a fetch is kept with
 *   those of every fetch of its subgraph in the request so far. A fetch is not kept when one of
 *   them began before the request's versions were read: its rows may be older than them.
 * - An answer is kept the second time its key is asked lately, not the first, as in the
 *   response cache: the first asking reads no versions.
 * - Kept as JSON text: one string each for the collector, whatever the answer's size, and
 *   parsed into a fresh object for each request, which the gateway builds its answer in.
 */
export class FetchCache {
  private readonly kept: KeptAnswers<Entry>;
  /** Each query request's fetches that ran, by subgraph. */
  private readonly requests = new WeakMap<object, Map<string, FetchRun[]>>();

  constructor(
    private readonly versions: RequestVersions,
    /** The schemas whose tables answers are read from: the subgraphs'. */
    private readonly schemas: ReadonlySet<string>,
    limits: { maxEntries: number; maxChars: number } = DEFAULT_FETCH_CACHE_LIMITS,
  ) {
    this.kept = new KeptAnswers(limits, (entry) => entry.json.length);
  }

  /** The data source of one subgraph, keeping its answers. */
  wrap(subgraph: string, source: GraphQLDataSource): GraphQLDataSource {
    return { process: (options) => this.process(subgraph, source, options) };
  }

  private async process(subgraph: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const context = options.context as Partial<GatewayContext> | undefined;
    const { query, variables } = options.request;
    if (!context?.identity || context.uncached || currentDeadline()?.operation !== 'query' || !query) return source.process(options);
    const { role, organizationId, subject } = context.identity;
    const key = createHash('sha256')
      .update(JSON.stringify([subgraph, role, organizationId, subject, chinaDate(), query, variables ?? null]))
      .digest('base64');
    const entry = this.kept.get(key);
    if (!entry && this.kept.firstAsking(key)) return this.run(context, subgraph, source, options).response;

    const versions = await this.versions.of(context);
    if (entry && stillCurrent(entry.readFrom, versions)) {
      const reads = currentDeadline()?.reads;
      if (reads) for (const [table] of entry.readFrom) reads.tables.add(table);
      return JSON.parse(entry.json) as GatewayGraphQLResponse;
    }
    const ran = this.run(context, subgraph, source, options);
    const response = await ran.response;
    const readFrom = this.readFrom(context, subgraph, ran);
    if (readFrom && response.data && !response.errors?.length) {
      const json = JSON.stringify(response);
      this.kept.keep(key, { readFrom: readFrom.map((table) => [table, versions.get(table) ?? '0']), json });
    }
    return response;
  }

  /** Runs a fetch noting the tables its statements name, as one of its request's fetches of `subgraph`. */
  private run(context: object, subgraph: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions) {
    const fetch: FetchRun = {
      reads: { schemas: this.schemas, tables: new Set(), unknown: false },
      afterVersions: this.versions.readFor(context),
    };
    let runs = this.requests.get(context);
    if (!runs) this.requests.set(context, (runs = new Map()));
    let ofSubgraph = runs.get(subgraph);
    if (!ofSubgraph) runs.set(subgraph, (ofSubgraph = []));
    ofSubgraph.push(fetch);
    return { fetch, response: runNotingReads(fetch.reads, () => source.process(options)) };
  }

  /**
   * The tables a fetch that has run could have been read from: those of every fetch of its
   * subgraph in the request so far. None when one of them began before the versions were read.
   */
  private readFrom(context: object, subgraph: string, ran: { fetch: FetchRun }): string[] | undefined {
    const ofSubgraph = this.requests.get(context)?.get(subgraph) ?? [ran.fetch];
    const tables = new Set<string>();
    for (const fetch of ofSubgraph) {
      if (!fetch.afterVersions || fetch.reads.unknown) return undefined;
      for (const table of fetch.reads.tables) tables.add(table);
    }
    return [...tables];
  }
}

/**
 * Every fetch of the 10,000-project data set's pipeline pages and county lookups, for a few
 * roles: a pipeline page's fetches are 5–20 thousand characters each.
 */
const DEFAULT_FETCH_CACHE_LIMITS = { maxEntries: 5_000, maxChars: 8_000_000 };

interface FetchRun {
  /** The tables its statements named. */
  reads: TablesRead;
  /** Whether it began after its request's versions were read. */
  afterVersions: boolean;
}

interface Entry {
  readFrom: [table: string, version: string][];
  json: string;
}
