import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ErrorCode } from '@hub/common';
import { currentDeadline } from '@hub/db';
import { NoTurnError } from '@hub/server';
import { failedAtEachField, fetchedDocument } from './subgraph-outage.ts';

/**
 * A request's fetches wait for its turn (docs/decisions/0047-requests-take-turns.md): its first
 * fetch takes it, and the request keeps it until its work has ended. Outside every fetch that
 * others may join (reads in flight, kept fetches being made): a fetch that waits for a turn is
 * never one that a request holding a turn waits for.
 *
 * A fetch refused its turn (the time limit passed while it waited, or the client left) ran
 * nothing: each of its fields is TIMEOUT, as a fetch stopped at the time limit is. A query is
 * then answered 503 TIMEOUT, safe to send again; a mutation tells that it was not made.
 */
export class TakingTurns implements GraphQLDataSource {
  constructor(private readonly source: GraphQLDataSource) {}

  async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const take = currentDeadline()?.takeTurn;
    if (take) {
      try {
        await take();
      } catch (error) {
        if (!(error instanceof NoTurnError)) throw error;
        return refused(options, error);
      }
    }
    return this.source.process(options);
  }
}

function refused(options: GraphQLDataSourceProcessOptions, error: NoTurnError): GatewayGraphQLResponse {
  return failedAtEachField(fetchedDocument(options), options, error.message, { code: ErrorCode.Timeout });
}
