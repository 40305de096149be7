import type { ApolloServer } from '@apollo/server';
import { ErrorCode } from '@hub/common';
import { Deadline, runWithDeadline } from '@hub/db';
import { HttpRejection } from '@hub/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../gateway-context.ts';
import { INVALID_PARAMETER } from './filter.ts';

/**
 * Reads the graph for one download, as its caller: every read goes through this gateway's own
 * ApolloServer with the caller's identity, so the subgraphs' rules alone decide what the
 * caller sees, as they do for the same query sent to /graphql.
 */
export class GraphReader {
  constructor(
    private readonly server: ApolloServer<GatewayContext>,
    private readonly caller: GatewayContext,
    private readonly timeoutMs: number,
  ) {}

  get requestId(): string {
    return this.caller.requestId;
  }

  /**
   * Runs one operation and gives its data, or throws the graph's refusal as an HTTP one.
   * Each read has a context of its own, and so its own subgraph loaders: a download of many
   * pages keeps no page's records once it has been written. A read made before the answer
   * starts runs under the request's deadline; one made as the download streams (`streaming`)
   * under a deadline of its own of the same length, since the request's has no say any more.
   */
  async read<TData>(query: string, variables: Record<string, unknown>, { streaming = false } = {}): Promise<TData> {
    // Its pages are read once each; kept, they would push out the answers the cache is for.
    const contextValue: GatewayContext = { ...this.caller, uncached: true };
    const execute = () => this.server.executeOperation<TData>({ query, variables }, { contextValue });
    const response = streaming ? await runWithDeadline(queryDeadline(this.timeoutMs), execute) : await execute();
    if (response.body.kind !== 'single') throw new Error('an export read was answered incrementally');
    const { data, errors } = response.body.singleResult;
    // An export with a part missing (a subgraph down) would read as complete: none is made.
    if (errors?.length) throw refusalFor(errors, { 'x-request-id': this.caller.requestId });
    if (!data) throw new Error('an export read gave no data and no error');
    return asJson(data) as TData;
  }
}

/**
 * The answer as a client of /graphql reads it: in process, a DateTime is still the Date object
 * its scalar serializes to, which only JSON turns into its text. Turned in place, rather than
 * through JSON text and back, which would copy every page twice.
 */
function asJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) value[index] = asJson(value[index]);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = asJson(record[key]);
  }
  return value;
}

function queryDeadline(timeoutMs: number): Deadline {
  const deadline = Deadline.after(timeoutMs);
  deadline.operation = 'query';
  return deadline;
}

/** The graph's refusal as an HTTP answer, by its code. */
export function refusalFor(errors: readonly GraphQLFormattedError[], headers: Record<string, string>): HttpRejection {
  const codes = errors.map((error) => error.extensions?.code);
  const first = errors[0]!;
  if (codes.includes(ErrorCode.NotFound)) {
    const error = errors[codes.indexOf(ErrorCode.NotFound)]!;
    return new HttpRejection(404, ErrorCode.NotFound, error.message, headers);
  }
  if (codes.includes(ErrorCode.Unauthenticated)) return new HttpRejection(401, ErrorCode.Unauthenticated, 'Sign in to download this.', headers);
  if (codes.includes(ErrorCode.Forbidden)) return new HttpRejection(403, ErrorCode.Forbidden, 'This download is not for the caller.', headers);
  if (codes.includes(ErrorCode.BadUserInput) || codes.includes('GRAPHQL_VALIDATION_FAILED')) {
    const error = errors.find((candidate) => candidate.extensions?.code === ErrorCode.BadUserInput) ?? first;
    return new HttpRejection(400, INVALID_PARAMETER, error.message, headers);
  }
  const retry = { ...headers, 'retry-after': '1' };
  if (codes.includes(ErrorCode.Timeout)) return new HttpRejection(503, ErrorCode.Timeout, 'Reading the data took longer than its limit; try again.', retry);
  if (codes.includes(ErrorCode.SubgraphUnavailable)) {
    return new HttpRejection(503, ErrorCode.SubgraphUnavailable, 'Part of the data cannot be read now (a service is unreachable); try again.', retry);
  }
  return new HttpRejection(502, String(first.extensions?.code ?? ErrorCode.Internal), first.message, headers);
}
