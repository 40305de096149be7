import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { PUBLIC_IDENTITY } from '@hub/common';
import { addReads, currentDeadline, noReads, noWrites, runNotingWrites, type TablesRead } from '@hub/db';
import { isMutationDocument } from '@hub/server';
import type { GatewayContext } from './gateway-context.ts';
import { digestOfVariables, keyOf } from './kept-answers.ts';
import { nextEvent, type RequestVersions } from './request-versions.ts';

interface Shared {
  response: Promise<GatewayGraphQLResponse>;
  /** The epoch its request reads at. */
  epoch: number;
  /** When it began, among the events `nextEvent` orders. */
  begun: number;
  /** How many fetches wait for it, the first among them. */
  takers: number;
  /** The tables the first caller's request read from, when it notes them. */
  reads: TablesRead | undefined;
}

/**
 * Joins identical subgraph reads in flight (docs/decisions/0027-joining-reads-in-flight.md): a
 * fetch whose subgraph, caller and document with variables equal those of a fetch still
 * running waits for that one's answer instead of running again. Under many callers asking the
 * same thing (a funnel, a foundation's matches) the subgraphs work once per wave instead of
 * once per caller — where fetches wait on I/O: over HTTP, or on a Postgres server.
 *
 * What a caller may read is decided by its identity, so only callers of the same identity
 * (role, organization and subject) share. A read does not join a fetch of a request that
 * began before a write through this gateway finished (but see below): every write bumps an
 * epoch, each gateway request reads at the epoch of its first fetch (or of its own last
 * write), and that epoch is part of the key — a subgraph keeps one set of DataLoaders for a
 * whole gateway request, so its age, not the fetch's, is what a joiner would read. Writes are
 * never joined. Each taker of a shared answer gets its own copy, since the gateway builds its
 * response in place; a joiner whose shared answer ran out of the first caller's time runs again
 * on its own time.
 * A joiner's request counts the tables the first caller's request read as read by it too (all
 * of them: its DataLoaders may have answered the shared fetch from an earlier one), so that the
 * response cache keeps its answer with them — unless the shared fetch began before the joiner's
 * request read its versions: its rows may be older than them, and the joiner's answer, kept
 * under those versions, would be given after a write it does not show.
 *
 * Where the subgraphs run in this process (`noted`), a write's tables are known, those its
 * triggers wrote among them, and so are those each request reads. A read may then join one that
 * began before writes the caller has seen, if none of those writes wrote a table the first
 * caller's request read: what it read is what the caller would read now. Whether they did is
 * known only once the shared fetch has settled (a request's reads grow as its statements run):
 * a joiner checks as it arrives and again once the shared answer has settled, and runs the
 * fetch itself when a write did.
 */
export class InFlightReads {
  constructor(
    /** The versions each request's caches read; none when nothing is kept. */
    private readonly versions?: RequestVersions,
    /**
     * The schemas whose tables the subgraphs' statements are noted in, where they run in this
     * process; none over HTTP, where no statement is seen here.
     */
    private readonly noted?: ReadonlySet<string>,
  ) {}

  private epoch = 0;
  private readonly running = new Map<string, Shared>();
  /** The latest fetch begun of each subgraph, caller, document and variables, whatever its epoch. */
  private readonly latest = new Map<string, Shared>();
  /** The tables each of the latest writes wrote, by the epoch it ended (none: not known). */
  private readonly written = new Map<number, ReadonlySet<string> | undefined>();
  /** The epoch each gateway request reads at, by its context. */
  private readonly epochs = new WeakMap<object, number>();

  /** The data source of one subgraph, joining identical reads. */
  wrap(subgraph: string, source: GraphQLDataSource): GraphQLDataSource {
    return { process: (options) => this.process(subgraph, source, options) };
  }

  private async process(subgraph: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const { query, variables } = options.request;
    const context = options.context as Partial<GatewayContext> | undefined;
    if (!query || isMutationDocument(query)) return this.write(source, options, context);
    const identity = context?.identity ?? PUBLIC_IDENTITY;
    const epoch = this.epochOf(context);
    this.requestReads();
    const asked = keyOf([subgraph, identity.role, identity.organizationId, identity.subject, query], digestOfVariables(variables));
    const key = `${epoch} ${asked}`;
    // An identical read of this epoch, else the latest begun at an earlier one, if the writes
    // since wrote nothing its request has read so far.
    const earlier = this.latest.get(asked);
    const shared = this.running.get(key) ?? (earlier && earlier.epoch < epoch && this.unwrittenSince(earlier, epoch) ? earlier : undefined);
    const taken = shared && (await this.take(shared, source, options, epoch));
    if (taken) return taken;
    // None, or a write the caller has seen wrote what the first caller's request read by the
    // end: run it, or join whoever of this epoch began it meanwhile.
    const begun = this.running.get(key);
    return (begun && (await this.take(begun, source, options, epoch))) || this.start(key, asked, epoch, source, options);
  }

  /**
   * This caller's copy of a shared answer; none when it was begun at an earlier epoch than the
   * caller's, and a write between them wrote a table its request read.
   */
  private async take(shared: Shared, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions, epoch: number): Promise<GatewayGraphQLResponse | undefined> {
    shared.takers += 1;
    const settled = await shared.response;
    if (shared.epoch !== epoch && !this.unwrittenSince(shared, epoch)) return undefined;
    const response = structuredClone(settled);
    // The shared fetch ran on the first caller's time; this caller may have more left.
    if (timedOut(response)) return source.process(options);
    const deadline = currentDeadline();
    const older = this.versions !== undefined && deadline !== undefined && !this.versions.readBefore(deadline, shared.begun);
    readAlso(older ? undefined : shared.reads);
    return response;
  }

  /** Whether no write that ended after `shared`'s epoch, up to `epoch`, wrote a table its request has read so far. */
  private unwrittenSince(shared: Shared, epoch: number): boolean {
    const reads = shared.reads;
    if (!this.noted || !reads || reads.unknown) return false;
    for (let write = shared.epoch + 1; write <= epoch; write += 1) {
      const tables = this.written.get(write);
      if (!tables) return false;
      for (const table of tables) if (reads.tables.has(table) || reads.rows.has(table)) return false;
    }
    return true;
  }

  private async start(key: string, asked: string, epoch: number, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const started: Shared = { response: source.process(options), epoch, begun: nextEvent(), takers: 1, reads: currentDeadline()?.reads };
    this.running.set(key, started);
    this.latest.set(asked, started);
    try {
      const response = await started.response;
      // Joiners copy the answer when they resume, after this: leave them the original.
      return started.takers > 1 ? structuredClone(response) : response;
    } finally {
      // Settled, it is no longer in flight: the next identical read runs again.
      if (this.running.get(key) === started) this.running.delete(key);
      if (this.latest.get(asked) === started) this.latest.delete(asked);
    }
  }

  private async write(
    source: GraphQLDataSource,
    options: GraphQLDataSourceProcessOptions,
    context: object | undefined,
  ): Promise<GatewayGraphQLResponse> {
    const written = this.noted ? noWrites() : undefined;
    // What a write reads is not noted, yet its request's later fetches may answer from rows it
    // loaded (a subgraph keeps one set of DataLoaders a request): nothing joins them across writes.
    const reads = this.requestReads();
    if (reads) reads.unknown = true;
    try {
      return await (written ? runNotingWrites(written, () => source.process(options)) : source.process(options));
    } finally {
      // Whatever its outcome, it may have written: later reads, this request's own too, do not
      // join reads of requests that began before, unless it wrote none of the tables they read.
      this.epoch += 1;
      if (context) this.epochs.set(context, this.epoch);
      this.written.set(this.epoch, written && !written.unknown ? written.tables : undefined);
      this.written.delete(this.epoch - WRITES_REMEMBERED);
    }
  }

  /**
   * The tables the request running reads, noted where the subgraphs run in this process: by
   * table alone where no cache asked for them first, which is all a join needs.
   */
  private requestReads(): TablesRead | undefined {
    const deadline = currentDeadline();
    return this.noted && deadline ? (deadline.reads ??= noReads(this.noted, false)) : undefined;
  }

  private epochOf(context: object | undefined): number {
    if (!context) return this.epoch;
    let epoch = this.epochs.get(context);
    if (epoch === undefined) {
      epoch = this.epoch;
      this.epochs.set(context, epoch);
    }
    return epoch;
  }
}

/**
 * Counts in this request's reads the tables another request read, which this one took an answer
 * from; none (`undefined`): not known, and the answer is not kept.
 */
function readAlso(theirs: TablesRead | undefined): void {
  const mine = currentDeadline()?.reads;
  if (!mine) return;
  if (!theirs || theirs.unknown) {
    mine.unknown = true;
    return;
  }
  addReads(mine, theirs);
}

/** How many of the latest writes' tables are remembered: a read begun before older ones is joined by no later caller. */
const WRITES_REMEMBERED = 1_000;

const timedOut = (response: GatewayGraphQLResponse) => response.errors?.some((error) => error.extensions?.code === 'TIMEOUT') ?? false;
