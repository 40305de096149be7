import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { addReads, chinaDate, currentDeadline, noReads, runNotingReads, type DataVersions, type Deadline, type TablesRead } from '@hub/db';
import { isMutationDocument, type PeerTransport } from '@hub/server';
import type { GatewayContext } from './gateway-context.ts';
import { digestOfVariables, KeptAnswers, keyOf, noteReadInScopes, readFromOf, stillCurrent, type ReadFrom } from './kept-answers.ts';
import { entityRepresentations, KeptEntities } from './kept-entities.ts';
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
  private readonly entities: KeptEntities;
  /** Each query request's fetches that ran, by subgraph. */
  private readonly requests = new WeakMap<object, Map<string, FetchRun[]>>();

  constructor(
    private readonly versions: RequestVersions,
    /** The schemas whose tables answers are read from: the subgraphs'. */
    private readonly schemas: ReadonlySet<string>,
    limits: { maxEntries: number; maxChars: number } = DEFAULT_FETCH_CACHE_LIMITS,
  ) {
    this.kept = new KeptAnswers(limits, (entry) => entry.json.length);
    this.entities = new KeptEntities(schemas);
  }

  /** The data source of one subgraph, keeping its answers. */
  wrap(subgraph: string, source: GraphQLDataSource): GraphQLDataSource {
    return { process: (options) => this.process(subgraph, source, options) };
  }

  /**
   * A subgraph's in-process way to a peer, keeping the peer's answers to reads. Each read of a
   * peer runs in a subgraph context of its own, so its own statements are all it was read from.
   */
  wrapPeer(subgraph: string, transport: PeerTransport): PeerTransport {
    return async (document, variables, identity) => {
      const deadline = currentDeadline();
      if (!deadline || deadline.operation !== 'query' || isMutationDocument(document)) return transport(document, variables, identity);
      const representations = entityRepresentations(variables);
      if (representations) {
        const { representations: _, ...rest } = variables;
        const readKey = keyOf(['peer entities', subgraph, identity.role, identity.organizationId, identity.subject, chinaDate(), document, rest]);
        return this.entities.read(readKey, representations, () => this.versions.of(deadline), (asked) => transport(document, { ...rest, representations: asked }, identity) as Promise<GatewayGraphQLResponse>);
      }
      const key = keyOf(['peer', subgraph, identity.role, identity.organizationId, identity.subject, chinaDate(), document, variables]);
      const entry = this.kept.get(key);
      if (!entry && this.kept.firstAsking(key)) return transport(document, variables, identity);

      const versions = await this.versions.of(deadline);
      if (entry && stillCurrent(entry.readFrom, versions)) return given(entry);
      const reads = noReads(this.schemas);
      const response = (await runNotingReads(reads, () => transport(document, variables, identity))) as GatewayGraphQLResponse;
      this.keepIfWhole(key, response, reads.unknown ? undefined : reads, versions);
      return response;
    };
  }

  private async process(subgraph: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const context = options.context as Partial<GatewayContext> | undefined;
    const { query, variables } = options.request;
    const deadline = currentDeadline();
    if (!context?.identity || context.uncached || !deadline || deadline.operation !== 'query' || !query) return source.process(options);
    const { role, organizationId, subject } = context.identity;
    const key = keyOf([subgraph, role, organizationId, subject, chinaDate(), query], digestOfVariables(variables));
    const entry = this.kept.get(key);
    if (!entry && this.kept.firstAsking(key)) return this.run(context, deadline, subgraph, source, options).response;

    const versions = await this.versions.of(deadline);
    if (entry && stillCurrent(entry.readFrom, versions)) return given(entry);
    const ran = this.run(context, deadline, subgraph, source, options);
    const response = await ran.response;
    this.keepIfWhole(key, response, this.readFrom(context, subgraph, ran), versions);
    return response;
  }

  /** Keeps an answer with data and no error, with what it read (none: not known, not kept) at `versions`. */
  private keepIfWhole(key: string, response: GatewayGraphQLResponse, reads: TablesRead | undefined, versions: DataVersions): void {
    if (!reads || !response.data || response.errors?.length) return;
    this.kept.keep(key, { readFrom: readFromOf(reads, versions), json: JSON.stringify(response) });
  }

  /** Runs a fetch noting the tables its statements name, as one of its request's fetches of `subgraph`. */
  private run(context: object, deadline: Deadline, subgraph: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions) {
    const fetch: FetchRun = {
      reads: noReads(this.schemas),
      afterVersions: this.versions.readFor(deadline),
    };
    let runs = this.requests.get(context);
    if (!runs) this.requests.set(context, (runs = new Map()));
    let ofSubgraph = runs.get(subgraph);
    if (!ofSubgraph) runs.set(subgraph, (ofSubgraph = []));
    ofSubgraph.push(fetch);
    return { fetch, response: runNotingReads(fetch.reads, () => source.process(options)) };
  }

  /**
   * What a fetch that has run could have been read from: what every fetch of its subgraph in
   * the request so far read. None when one of them began before the versions were read.
   */
  private readFrom(context: object, subgraph: string, ran: { fetch: FetchRun }): TablesRead | undefined {
    const ofSubgraph = this.requests.get(context)?.get(subgraph) ?? [ran.fetch];
    const all = noReads(this.schemas);
    for (const fetch of ofSubgraph) {
      if (!fetch.afterVersions || fetch.reads.unknown) return undefined;
      addReads(all, fetch.reads);
    }
    return all;
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
  readFrom: ReadFrom[];
  json: string;
}

/**
 * A kept answer, given again: its tables count as read by the request (the response cache keeps
 * the whole answer with them) and by the fetch it is given within (a peer's read within a fetch).
 */
function given(entry: Entry): GatewayGraphQLResponse {
  noteReadInScopes(entry.readFrom);
  return JSON.parse(entry.json) as GatewayGraphQLResponse;
}
