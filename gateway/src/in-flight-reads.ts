import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { PUBLIC_IDENTITY } from '@hub/common';
import type { GatewayContext } from './gateway-context.ts';

interface Shared {
  response: Promise<GatewayGraphQLResponse>;
  /** How many fetches wait for it, the first among them. */
  takers: number;
}

const MUTATION = /^\s*mutation\b/;

/**
 * Joins identical subgraph reads in flight: a fetch whose subgraph, caller and document with
 * variables equal those of a fetch still running waits for that one's answer instead of
 * running again. Under many callers asking the same thing (a funnel, a foundation's matches)
 * the subgraphs work once per wave instead of once per caller.
 *
 * What a caller may read is decided by its identity, so only callers of the same identity
 * (role, organization and subject) share. A read never joins a fetch that started before a
 * write through this gateway finished: every write bumps an epoch that is part of the key, so
 * whoever has seen a write's answer reads after it. Writes are never joined. Each taker of a
 * shared answer gets its own copy, since the gateway builds its response in place.
 */
export class InFlightReads {
  private epoch = 0;
  private readonly running = new Map<string, Shared>();

  /** The data source of one subgraph, joining identical reads. */
  wrap(subgraph: string, source: GraphQLDataSource): GraphQLDataSource {
    return { process: (options) => this.process(subgraph, source, options) };
  }

  /** How many identical reads are running now: for tests. */
  get inFlight(): number {
    return this.running.size;
  }

  private process(subgraph: string, source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const { query, variables } = options.request;
    if (!query || MUTATION.test(query)) return this.write(source, options);
    const identity = (options.context as Partial<GatewayContext> | undefined)?.identity ?? PUBLIC_IDENTITY;
    const key = JSON.stringify([this.epoch, subgraph, identity.role, identity.organizationId, identity.subject, query, variables ?? null]);
    let shared = this.running.get(key);
    if (!shared) {
      const started: Shared = { response: source.process(options), takers: 0 };
      shared = started;
      this.running.set(key, started);
      // Settled, it is no longer in flight: the next identical read runs again.
      const forget = () => {
        if (this.running.get(key) === started) this.running.delete(key);
      };
      started.response.then(forget, forget);
    }
    shared.takers += 1;
    const taken = shared;
    return taken.response.then((response) => (taken.takers > 1 ? structuredClone(response) : response));
  }

  private async write(source: GraphQLDataSource, options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      return await source.process(options);
    } finally {
      // Whatever its outcome, it may have written: later reads do not join earlier ones.
      this.epoch += 1;
    }
  }
}
