import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@hub/common';
import { currentDeadline, isDeadlineExceeded } from '@hub/db';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';

/** The header a request's remaining time travels in, from the gateway (or a client) to a subgraph. */
export const TIMEOUT_HEADER = 'x-hub-timeout-ms';

/**
 * Tells the request's deadline what kind of operation it runs: the HTTP layer answers a query
 * past its deadline with 503 at once, but waits for a mutation's real outcome. The request's
 * own operation resolves first; the operations it runs on its way (a subgraph executed in
 * process, one subgraph asking another) share its deadline and never change its kind, or a
 * move that asked Shaanxi for its need would be answered as a late query after it committed.
 */
export function deadlinePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          const deadline = currentDeadline();
          if (deadline && operation && deadline.operation === undefined) deadline.operation = operation.operation;
        },
      };
    },
  };
}

/** A statement refused or cancelled at the deadline surfaces as TIMEOUT, not as an internal error. */
export function timeoutAsCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (!isDeadlineExceeded(unwrapResolverError(error))) return formatted;
  return {
    message: 'The request ran past its time limit; this field was stopped and its writes rolled back. It is safe to retry.',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: ErrorCode.Timeout },
  };
}

/** The remaining time a caller asked for in TIMEOUT_HEADER, if it is a usable number. */
export function requestedTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const milliseconds = Number(value);
  return Number.isFinite(milliseconds) && milliseconds >= 0 ? Math.floor(milliseconds) : undefined;
}
