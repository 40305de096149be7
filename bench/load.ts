import autocannon, { type Request } from 'autocannon';
import type { Operation } from './operations.ts';

/** What one autocannon run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Responses other than 2xx or with GraphQL errors, connection errors and timeouts: any of them makes the figure suspect. */
  failures: number;
}

/**
 * Drives `operation` at `url` with `connections` connections for `seconds`. Requests go round the
 * operation's variables in order, shared across connections, so a run covers all of them.
 */
export async function drive(url: string, operation: Operation, connections: number, seconds: number): Promise<LoadResult> {
  return send(url, operation, connections, { duration: seconds });
}

/**
 * How many requests a warm-up sends at most to ask each of an operation's variable sets twice: a
 * crawl through every project (ten thousand) is measured as the crawl it is.
 */
const WARM_EACH_AT_MOST = 1_000;

/**
 * Warms a system up for `operation`, recording nothing: each of its variable sets asked twice
 * (a response cache keeps an answer the second time it is asked), unless there are too many,
 * then driven for what is left of `seconds`. Without it the first round measures the start of
 * a cache, not the steady state a running system serves from.
 */
export async function warm(url: string, operation: Operation, connections: number, seconds: number): Promise<void> {
  const began = performance.now();
  const twice = operation.variables.length * 2;
  // autocannon sends at least one request a connection.
  if (twice <= WARM_EACH_AT_MOST) await send(url, operation, connections, { amount: Math.max(twice, connections) });
  const left = seconds - (performance.now() - began) / 1000;
  if (left >= 1) await send(url, operation, connections, { duration: Math.round(left) });
}

async function send(url: string, operation: Operation, connections: number, length: { duration: number } | { amount: number }): Promise<LoadResult> {
  const bodies = operation.variables.map((variables) => JSON.stringify({ query: operation.query, variables }));
  let next = 0;
  let graphqlErrors = 0;
  // A gateway answers 200 with `errors` when a subgraph refused or failed: counted as failed too.
  const onResponse = (_status: number, body: string) => {
    if (body.includes('"errors"')) graphqlErrors += 1;
  };
  const request: Request =
    bodies.length === 1
      ? { method: 'POST' as const, body: bodies[0] as string, onResponse }
      : {
          method: 'POST' as const,
          setupRequest: (request: Request) => ({ ...request, body: bodies[next++ % bodies.length] as string }),
          onResponse,
        };
  const result = await autocannon({
    url,
    connections,
    ...length,
    timeout: 30,
    headers: { 'content-type': 'application/json' },
    requests: [request],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts + graphqlErrors,
  };
}
