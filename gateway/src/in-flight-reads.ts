import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { PUBLIC_IDENTITY } from '@hub/common';
import { addReads, currentDeadline, type TablesRead } from '@hub/db';
import { isMutationDocument } from '@hub/server';
import type { GatewayContext } from './gateway-context.ts';
import { nextEvent, type RequestVersions } from './request-versions.ts';

interface Shared {
  response: Promise<GatewayGraphQLResponse>;
  /** When it began, among the events `nextEvent` orders. */
  begun: number;
  /** How many fetches wait for it, the first among them. */
  takers: number;
  /** The tables the first caller's request read from, when it notes them (the response cache). */
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
 * (role, organization and subject) share. A read never joins a fetch of a request that began
 * before a write through this gateway finished: every write bumps an epoch, each gateway
 * request reads at the epoch of its first fetch (or of its own last write), and that epoch is
 * part of the key — a subgraph keeps one set of DataLoaders for a whole gateway request, so
 * its age, not the fetch's, is what a joiner would read. Writes are never joined. Each taker
 * of a shared answer gets its own copy, since the gateway builds its response in place; a
 * joiner whose shared answer ran out of the first caller's time runs again on its own time.
 * A joiner's request counts the tables the first caller's request read as read by it too (all
 * of them: its DataLoaders may have answered the shared fetch from an earlier one), so that the
 * response cache keeps its answer with them — unless the shared fetch began before the joiner's
 * request read its versions: its rows may be older than them, and the joiner's answer, kept
 * under those versions, would be given after a write it does not show.
 */
export class InFlightReads {
  constructor(
    /** The versions each request's caches read; none when nothing is kept. */
    private readonly versions?: RequestVersions,
  ) {}

  private epoch = 0;
  private readonly running = new Map<string, Shared>();
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
    const key = JSON.stringify([epoch, subgraph, identity.role, identity.organizationId, identity.subject, query, variables ?? null]);
    const running = this.running.get(key);
    if (!running) return this.start(key, source, options);
    running.takers += 1;
    const response = structuredClone(await running.response);
    // The shared fetch ran on the first caller's time; this caller may have more left.
    if (timedOut(response)) return source.process(options);
    const deadline = currentDeadline();
    const older = this.versions !== undefined && deadline !== undefined && !this.versions.readBefore(deadline, running.begun);
    readAlso(older ? undefined : running.reads);
    return response;
  }

  private async start(key: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const started: Shared = { response: source.process(options), begun: nextEvent(), takers: 1, reads: currentDeadline()?.reads };
    this.running.set(key, started);
    try {
      const response = await started.response;
      // Joiners copy the answer when they resume, after this: leave them the original.
      return started.takers > 1 ? structuredClone(response) : response;
    } finally {
      // Settled, it is no longer in flight: the next identical read runs again.
      if (this.running.get(key) === started) this.running.delete(key);
    }
  }

  private async write(
    source: GraphQLDataSource,
    options: GraphQLDataSourceProcessOptions,
    context: object | undefined,
  ): Promise<GatewayGraphQLResponse> {
    try {
      return await source.process(options);
    } finally {
      // Whatever its outcome, it may have written: later reads, this request's own too, do not
      // join reads of requests that began before.
      this.epoch += 1;
      if (context) this.epochs.set(context, this.epoch);
    }
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

const timedOut = (response: GatewayGraphQLResponse) => response.errors?.some((error) => error.extensions?.code === 'TIMEOUT') ?? false;
