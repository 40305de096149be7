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
 * - A question asked while its answer is being made waits for that answer instead of making it
 *   again, and takes it on the rule a kept answer is given by: only if each table it was read
 *   from is at the version it was read at for the waiting request too (see `join`).
 */
export class ResponseCache {
  private readonly kept: KeptAnswers<Entry>;
  /** The answers being made, by key: each settles with the answer and what it was read from, or undefined when it may not be kept. */
  private readonly making = new Map<string, Promise<Entry | undefined>>();

  constructor(
    /** The versions of the tables of every database the answers come from, as the request under `deadline` reads them. */
    private readonly currentVersions: (deadline: Deadline) => Promise<DataVersions>,
    /** The schemas whose tables answers are read from: the subgraphs'. */
    private readonly schemas: ReadonlySet<string>,
    limits: { maxEntries: number; maxChars: number } = DEFAULT_CACHE_LIMITS,
  ) {
    this.kept = new KeptAnswers(limits, (entry) => entry.json.length);
  }

  /**
   * The answer another request is making, once made, if it may be given to a request that read
   * `versions`: as a kept answer is given, only while each table it was read from is at the
   * version it was read at. The one making it read its versions before it began; a request whose
   * versions are newer on a table it read (a write committed in between) makes its own. None
   * when it failed or may not be kept, or when the waiting request's own time ran out first (it
   * then fails on its own time, as it would alone).
   */
  private async join(making: Promise<Entry | undefined>, versions: DataVersions, deadline: Deadline): Promise<Entry | undefined> {
    let cancel = () => {};
    const outOfTime = new Promise<undefined>((resolve) => (cancel = deadline.whenExpired(() => resolve(undefined))));
    try {
      const made = await Promise.race([making, outOfTime]);
      return made && stillCurrent(made.readFrom, versions) ? made : undefined;
    } finally {
      cancel();
    }
  }

  /** Notes that the answer for `key` is being made; the function returned settles it, once. */
  private startMaking(key: string): (made: Entry | undefined) => void {
    let settle!: (made: Entry | undefined) => void;
    const making = new Promise<Entry | undefined>((resolve) => (settle = resolve));
    // A later maker of the same key (one that could not join) leaves the first in place.
    if (!this.making.has(key)) this.making.set(key, making);
    let settled = false;
    return (made) => {
      if (settled) return;
      settled = true;
      if (this.making.get(key) === making) this.making.delete(key);
      settle(made);
    };
  }

  plugin(): ApolloServerPlugin<GatewayContext> {
    const cache = this;
    return {
      async requestDidStart() {
        let miss: { key: string; versions: DataVersions; reads: TablesRead; made: (entry: Entry | undefined) => void } | undefined;
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
            if (!entry && !cache.making.has(key) && cache.kept.firstAsking(key)) return null;
            const versions = await cache.currentVersions(deadline);
            if (entry && stillCurrent(entry.readFrom, versions)) return answer(entry.json, request.http !== undefined);
            // Decided with no wait between the check and the noting: of the requests whose
            // versions come back at once, the first makes the answer and the others wait for it.
            const making = cache.making.get(key);
            const joined = making && (await cache.join(making, versions, deadline));
            if (joined) return answer(joined.json, request.http !== undefined);
            miss = { key, versions, reads, made: cache.startMaking(key) };
            return null;
          },
          async willSendResponse({ response }) {
            if (!miss) return;
            const made = keepable(response, miss.reads) ? { readFrom: readFromOf(miss.reads, miss.versions), json: JSON.stringify(response.body.singleResult) } : undefined;
            if (made) cache.kept.keep(miss.key, made);
            miss.made(made);
          },
        };
      },
    };
  }
}

/** Only answers with data and no error, at HTTP 200, from reads all noted, are kept. */
function keepable(response: GraphQLResponse, reads: TablesRead): response is GraphQLResponse & { body: { kind: 'single' } } {
  if (response.body.kind !== 'single') return false;
  const result = response.body.singleResult;
  return (response.http.status ?? 200) === 200 && !result.errors?.length && result.data !== undefined && result.data !== null && !reads.unknown;
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

/**
 * A kept answer, given again. Over HTTP its text goes out as it was kept (`stringifyResult`):
 * parsed for each request and serialized again, a kept pipeline page cost a fifth of the
 * gateway's time in the two steps and the collector more. To an in-process caller
 * (`executeOperation`: a printed package) it is given parsed, as data to read.
 */
function answer(json: string, overHttp: boolean): GraphQLResponse {
  const result = overHttp ? ({ data: new KeptText(json) } as unknown as FormattedExecutionResult) : (JSON.parse(json) as FormattedExecutionResult);
  return { body: { kind: 'single', singleResult: result }, http: { status: undefined, headers: new HeaderMap() } };
}

/**
 * A kept answer's text, standing for its data in an answer sent over HTTP. Serialized by
 * another way than `stringifyResult` (or beside errors or extensions a later plugin added), it
 * stands for the kept data as parsed.
 */
export class KeptText {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    return (JSON.parse(this.json) as FormattedExecutionResult).data;
  }
}

/** The gateway's answers as HTTP bodies (Apollo Server's `stringifyResult`): a kept answer's text as it was kept. */
export function stringifyResult(result: FormattedExecutionResult): string {
  if (result.data instanceof KeptText && result.errors === undefined && result.extensions === undefined) return `${result.data.json}\n`;
  return `${JSON.stringify(result)}\n`;
}
