import { timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Database } from '@hub/db';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConcurrencyLimit } from './concurrency-limit.ts';
import type { EnvReader } from './environment.ts';

/** Request times, in seconds: from an answer kept by the cache (a millisecond) to the time limit. */
const REQUEST_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Statement times, in seconds: an index lookup takes a tenth of a millisecond. */
const STATEMENT_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
/**
 * Clients name their operations, and each name would be a series of its own: past this many
 * names a process has seen, a new one is counted as `(other)`.
 */
const MAX_OPERATION_NAMES = 100;
const OTHER_OPERATION = '(other)';

/** Who may read /metrics (`METRICS_TOKEN`; in production no one without it). */
export interface MetricsAccess {
  /** The bearer token a scraper sends; undefined: open in development, closed in production. */
  token: string | undefined;
  production: boolean;
}

/** Reads `METRICS_TOKEN`: at least 32 characters when set. */
export function metricsAccessFrom(reader: EnvReader, production: boolean): MetricsAccess {
  const token = reader.optionalText('METRICS_TOKEN');
  if (token !== undefined && token.length < 32) reader.problems.push('METRICS_TOKEN must be at least 32 characters.');
  return { token, production };
}

/** Why /metrics was not given, as an HTTP answer: undefined when it may be. */
export function metricsRefusal(access: MetricsAccess, authorization: string | undefined): { status: number; code: string; message: string } | undefined {
  if (access.token === undefined) {
    return access.production
      ? { status: 404, code: 'NOT_FOUND', message: 'Metrics are not served in production unless METRICS_TOKEN is set.' }
      : undefined;
  }
  const given = Buffer.from(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(access.token);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  return { status: 401, code: 'UNAUTHENTICATED', message: 'Metrics are read with the bearer token METRICS_TOKEN.' };
}

/**
 * What a process of the hub counts, served as Prometheus text at /metrics: HTTP requests by
 * route and status, GraphQL operations by name and outcome (the first error's code, or OK),
 * their times, the requests running and waiting their turn, the gateway's subgraph fetches, SQL
 * statements and their times, the connection pool, rate-limit refusals, and Node's own figures
 * (CPU, memory, event-loop delay, GC).
 *
 * One registry per process part that serves HTTP (not prom-client's global one): tests start
 * many hubs in one process, and each must count its own requests.
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly httpRequests: Histogram<'route' | 'status'>;
  private readonly operations: Histogram<'service' | 'operation' | 'outcome'>;
  private readonly fetches: Histogram<'subgraph' | 'outcome'>;
  private readonly statements: Counter<'database'>;
  private readonly statementSeconds: Histogram<'database'>;
  private readonly refusals: Counter<'scope'>;
  private readonly operationNames = new Set<string>();
  private readonly pools = new Map<string, Database>();
  private concurrency: ConcurrencyLimit | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.httpRequests = new Histogram({
      name: 'hub_http_request_duration_seconds',
      help: 'HTTP requests by route and status, and how long each took to answer.',
      labelNames: ['route', 'status'],
      buckets: REQUEST_SECONDS,
      registers,
    });
    this.operations = new Histogram({
      name: 'hub_graphql_operation_duration_seconds',
      help: 'GraphQL operations by service, name and outcome (OK, or the first error code), and how long each took.',
      labelNames: ['service', 'operation', 'outcome'],
      buckets: REQUEST_SECONDS,
      registers,
    });
    this.fetches = new Histogram({
      name: 'hub_subgraph_fetch_duration_seconds',
      help: "The gateway's fetches from each subgraph, by outcome (ok, errors, failed), and how long each took.",
      labelNames: ['subgraph', 'outcome'],
      buckets: REQUEST_SECONDS,
      registers,
    });
    this.statements = new Counter({
      name: 'hub_sql_statements_total',
      help: "SQL statements the subgraphs' stores sent, by database.",
      labelNames: ['database'],
      registers,
    });
    this.statementSeconds = new Histogram({
      name: 'hub_sql_statement_duration_seconds',
      help: 'Time from sending a statement to its result, by database (a Postgres server; PGlite is not timed).',
      labelNames: ['database'],
      buckets: STATEMENT_SECONDS,
      registers,
    });
    this.refusals = new Counter({
      name: 'hub_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit, by scope (address, identity).',
      labelNames: ['scope'],
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'hub_graphql_requests',
      help: 'GraphQL requests by state: running, or waiting for their turn (MAX_RUNNING_REQUESTS).',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const limit = metrics.concurrency;
        if (!limit) return;
        this.set({ state: 'running' }, limit.running);
        this.set({ state: 'waiting' }, limit.waiting);
      },
    });
    const pools = this.pools;
    new Gauge({
      name: 'hub_db_pool_connections',
      help: 'Connections of each database pool, by state (total, idle; waiting: requests waiting for one).',
      labelNames: ['database', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [name, database] of pools) {
          const use = database.poolUse();
          if (!use) continue;
          this.set({ database: name, state: 'total' }, use.total);
          this.set({ database: name, state: 'idle' }, use.idle);
          this.set({ database: name, state: 'waiting' }, use.waiting);
        }
      },
    });
  }

  /** Shows how many GraphQL requests `limit` runs and how many wait their turn. */
  watchConcurrency(limit: ConcurrencyLimit): void {
    this.concurrency = limit;
  }

  /** Counts `database`'s statements, times them, and shows its pool, under `name`. */
  watchDatabase(name: string, database: Database): () => void {
    const statements = this.statements.labels(name);
    const seconds = this.statementSeconds.labels(name);
    const stopCounting = database.statements.onStatement(() => statements.inc());
    const stopTiming = database.onStatementTime((time) => seconds.observe(time));
    this.pools.set(name, database);
    return () => {
      stopCounting();
      stopTiming();
      this.pools.delete(name);
    };
  }

  observeRequest(route: string, status: number, seconds: number): void {
    this.httpRequests.observe({ route, status: String(status) }, seconds);
  }

  observeFetch(subgraph: string, outcome: 'ok' | 'errors' | 'failed', seconds: number): void {
    this.fetches.observe({ subgraph, outcome }, seconds);
  }

  refused(scope: string): void {
    this.refusals.inc({ scope });
  }

  /** Observes each GraphQL operation the server runs, under its name and outcome. */
  operationsPlugin(service: string): ApolloServerPlugin<BaseContext> {
    const metrics = this;
    return {
      async requestDidStart() {
        const started = performance.now();
        // Until the operation is resolved: a document that does not parse or validate has no name to trust.
        let operation = '(invalid)';
        return {
          async didResolveOperation({ operationName }) {
            operation = metrics.operationLabel(operationName ?? '(anonymous)');
          },
          async willSendResponse({ response }) {
            const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
            const code = errors?.[0]?.extensions?.['code'];
            const outcome = errors?.length ? (typeof code === 'string' ? code : 'ERROR') : 'OK';
            metrics.operations.observe({ service, operation, outcome }, (performance.now() - started) / 1000);
          },
        };
      },
    };
  }

  /** The text Prometheus scrapes. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private operationLabel(name: string): string {
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
    this.operationNames.add(name);
    return name;
  }
}
