import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { chinaDate, currentDeadline, noReads, type DataVersions, type Deadline, type TablesRead } from '@hub/db';
import type { GatewayContext } from './gateway-context.ts';
import { KeptAnswers, keyOf, readFromOf, stillCurrent, type ReadFrom } from './kept-answers.ts';

/**
 * Whole answers to queries, kept by the gateway and given again while nothing they could
 * depend on has changed (docs/decisions/0029-response-cache.md).
 *
 * - An answer is kept under the caller's identity (role, organization and subject: what one
 *   caller may read is never given to another), the China date (some answers count from
 *   today), the document, the operation and the variables.
 * - With it are kept the tables its statements named and their versions, read before the
 *   answer was made; it is given again only while each of those tables is at the same version
 *   for the new request. Every committed write raises the versions of the tables it wrote in its
 *   own commit, whoever made it, so an answer is never older than the last write committed
 *   before the request came to a table it was read from: across the hub's replicas on one
 *   Postgres too, since each reads the versions from the database itself. A write to a table
 *   an answer was not read from leaves it kept.
 * - Only answers with data and no error are kept; mutations are never cached.
 * - An answer is kept the second time its key is asked lately, not the first: a stream of
 *   questions each asked once (a crawl through every project) would otherwise push out what is
 *   asked again and again, and fill the memory with answers nobody asks for twice. The first
 *   asking of a key not kept reads no data version either: there is nothing to compare it with.
 */
export class ResponseCache {
  private readonly kept: KeptAnswers<Entry>;

  constructor(
    /** The versions of the tables of every database the answers come from, as the request under `deadline` reads them. */
    private readonly currentVersions: (deadline: Deadline) => Promise<DataVersions>,
    /** The schemas whose tables answers are read from: the subgraphs'. */
    private readonly schemas: ReadonlySet<string>,
    limits: { maxEntries: number; maxChars: number } = DEFAULT_CACHE_LIMITS,
  ) {
    this.kept = new KeptAnswers(limits, (entry) => entry.json.length);
  }

  plugin(): ApolloServerPlugin<GatewayContext> {
    const cache = this;
    return {
      async requestDidStart() {
        let miss: { key: string; versions: DataVersions; reads: TablesRead } | undefined;
        return {
          async responseForOperation({ operation, operationName, queryHash, request, contextValue }) {
            if (operation.operation !== 'query' || contextValue.uncached) return null;
            // Noted for every query, kept or not: another request may join this one's reads.
            const deadline = currentDeadline();
            if (!deadline) return null;
            const reads = noReads(cache.schemas);
            deadline.reads = reads;
            const { role, organizationId, subject } = contextValue.identity;
            const key = keyOf([role, organizationId, subject, chinaDate(), queryHash, operationName ?? null, request.variables ?? null]);
            const entry = cache.kept.get(key);
            if (!entry && cache.kept.firstAsking(key)) return null;
            const versions = await cache.currentVersions(deadline);
            if (entry && stillCurrent(entry.readFrom, versions)) return answer(JSON.parse(entry.json) as FormattedExecutionResult);
            miss = { key, versions, reads };
            return null;
          },
          async willSendResponse({ response }) {
            if (!miss || response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            const status = response.http.status ?? 200;
            if (status !== 200 || result.errors?.length || !result.data || miss.reads.unknown) return;
            const { versions } = miss;
            cache.kept.keep(miss.key, { readFrom: readFromOf(miss.reads, versions), json: JSON.stringify(result) });
          },
        };
      },
    };
  }
}

/**
 * Enough for every page of the 10,000-project pipeline (20 thousand characters each) and the
 * counties, for a few roles. The size limit is of the answers as JSON text: 16 million
 * characters, at most 32 MB where the text is Chinese (two bytes a character).
 */
const DEFAULT_CACHE_LIMITS = { maxEntries: 2_000, maxChars: 16_000_000 };

interface Entry {
  /** The tables the answer was read from, each with its version read before it was made. */
  readFrom: ReadFrom[];
  /**
   * The answer as JSON text: one string for the collector, where the answer's objects would be
   * thousands, and a few times smaller in memory; parsed anew for each request it is given to.
   */
  json: string;
}

function answer(result: FormattedExecutionResult): GraphQLResponse {
  return { body: { kind: 'single', singleResult: result }, http: { status: undefined, headers: new HeaderMap() } };
}
