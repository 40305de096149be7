import { MAX_DEMO_SCALE } from '@hub/demo';
import { join } from 'node:path';
import { openDatabase } from '@hub/db';
import {
  EnvReader,
  SUBGRAPH_NAMES,
  databaseConfigFor,
  internalSecretFrom,
  isProduction,
  subgraphUrlFrom,
} from './environment.ts';
import { PeerDirectory, httpTransport } from './peers.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SHUTDOWN_GRACE_MS, HttpRejection, listenHttp, serveHttp, type HttpService, type ServeOptions } from './http.ts';
import { databaseAnswers, exitAfterLog, startupFailureMessage, stopOnSignals } from './lifecycle.ts';
import { IDENTITY_HEADER, IdentityVerifier } from './trust.ts';
import { startSubgraph, type RunningSubgraph, type SubgraphModule } from './subgraph.ts';
import { HubMetrics, metricsAccessFrom } from './metrics.ts';
import { createLogger, logLevelFrom, processLog, makeProcessLog, type HubLogger } from './logger.ts';
import { startTracing } from './tracing.ts';
import { DEFAULT_SIGNING_RETRY_MS } from './background.ts';

/**
 * Serves a started subgraph over HTTP: POST /graphql, and GET /livez, /readyz and /health for
 * probes (open to anyone; they show no data). Every GraphQL request must carry an identity
 * token signed with `internalSecret` for this subgraph and this body, not seen before;
 * anything else is refused with 401, so the subgraph cannot be reached around the gateway nor
 * a captured request replayed.
 */
export function serveRunningSubgraph<TContext extends object>(
  subgraph: RunningSubgraph<TContext>,
  options: { port: number; host?: string; internalSecret: string; timeoutMs?: number; logger?: HubLogger },
): Promise<HttpService> {
  const { internalSecret, timeoutMs, ...listen } = options;
  return serveHttp(subgraph.server, { ...listen, ...subgraphServeOptions(subgraph, internalSecret, timeoutMs) });
}

function subgraphServeOptions<TContext extends object>(
  subgraph: RunningSubgraph<TContext>,
  internalSecret: string,
  timeoutMs: number | undefined,
): ServeOptions<TContext> {
  const verifier = new IdentityVerifier(internalSecret, subgraph.module.name);
  return {
    // The gateway forwards the time its request has left; the subgraph stops its work then,
    // and reports what it stopped as TIMEOUT for the gateway to answer.
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    answerLateQueries: false,
    context: async ({ request, headers, rawBody }) => {
      // A GET's operation is in its URL, which the identity token does not cover.
      if (request.method !== 'POST') {
        throw new HttpRejection(405, 'METHOD_NOT_ALLOWED', 'This subgraph answers POST requests from the gateway only.', { allow: 'POST' });
      }
      const check = await verifier.verify(headers.get(IDENTITY_HEADER), rawBody);
      if (check.type === 'refused' && check.reason === 'IDENTITY_MEMORY_FULL') {
        // The request is genuine; the subgraph cannot remember one more token id right now.
        throw new HttpRejection(503, 'OVERLOADED', 'This subgraph is at its limit of requests in flight; retry shortly.', { 'retry-after': '1' });
      }
      if (check.type === 'refused') {
        throw new HttpRejection(401, 'UNAUTHENTICATED', 'This subgraph answers only the gateway.', {}, { reason: check.reason });
      }
      return subgraph.createContext(check.identity);
    },
    health: async () => {
      const up = await databaseAnswers(subgraph.database, `database:${subgraph.module.name}`);
      return { down: up ? [] : [`database:${subgraph.module.name}`], subgraph: subgraph.module.name, database: subgraph.database.kind };
    },
  };
}

/**
 * Serves one subgraph over HTTP, for the distributed topology. Reads `PORT`, `HOST`,
 * `<NAME>_DATABASE_URL` or `DATABASE_URL`, and `DATA_DIR` (the embedded database under DATA_DIR/<name>).
 */
export async function serveSubgraph<TContext extends object>(
  module: SubgraphModule<TContext>,
  defaultPort: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HttpService & { close(): Promise<void> }> {
  const reader = new EnvReader(env);
  const port = reader.port('PORT', defaultPort);
  const host = reader.text('HOST', '127.0.0.1');
  const database = databaseConfigFor(reader, module.name);
  const production = isProduction(reader);
  const internalSecret = internalSecretFrom(reader, production);
  const metricsAccess = metricsAccessFrom(reader, production);
  // The subgraph's server logs through a child of its own too, named as this one is.
  const level = logLevelFrom(reader);
  const rootLogger = createLogger({ level });
  const logger = rootLogger.child({ service: module.name });
  // This is the process's service: its start, drain and background lines are this subgraph's.
  makeProcessLog(level, module.name);
  const demo = reader.flag('DEMO_DATA', true);
  const demoScale = reader.wholeNumber('DEMO_SCALE', 1, MAX_DEMO_SCALE, 1);
  const timeoutMs = reader.positiveInt('REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS);
  const shutdownGraceMs = reader.positiveInt('SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS);
  const signingRetryMs = reader.positiveInt('SIGNING_RETRY_MS', DEFAULT_SIGNING_RETRY_MS);
  reader.done();

  // The other subgraphs, reached over HTTP for rules that span two of them.
  const peers = new PeerDirectory();
  for (const name of SUBGRAPH_NAMES) {
    if (name !== module.name) peers.register(name, httpTransport(subgraphUrlFrom(env, name), name, internalSecret));
  }
  const metrics = new HubMetrics();
  // The port first: a port in use stops the start before the data folder is touched.
  const http = await listenHttp({ port, host, metrics: { metrics, access: metricsAccess }, logger });
  try {
    const db = await openDatabase({ url: database.url, dataDir: join(database.dataDir, module.name), embedded: database.embedded });
    metrics.watchDatabase(module.name, db);
    try {
      const subgraph = await startSubgraph(module, db, peers.for(module.name), { demo, demoScale, metrics, logger: rootLogger });
      http.serve(subgraph.server, subgraphServeOptions(subgraph, internalSecret, timeoutMs));
      await subgraph.startBackground({ retryMs: signingRetryMs, tryTimeoutMs: timeoutMs });
      return {
        url: http.url,
        port: http.port,
        stop: (graceMs) => http.stop(graceMs),
        async close() {
          await http.stop(shutdownGraceMs);
          await subgraph.stop();
          await db.close();
        },
      };
    } catch (error) {
      await db.close();
      throw error;
    }
  } catch (error) {
    await http.stop(0);
    throw error;
  }
}

/** The body of a subgraph's `main.ts`: serve it and stop cleanly on SIGINT or SIGTERM. */
export async function runSubgraphMain<TContext extends object>(module: SubgraphModule<TContext>, defaultPort: number) {
  try {
    // Off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).
    const stopTracing = await startTracing(`su-shaan-hub-${module.name}`);
    const service = await serveSubgraph(module, defaultPort);
    // Before the line that says it is ready: whoever acts on that line may stop it at once.
    stopOnSignals(`the ${module.name} subgraph`, async () => {
      await service.close();
      await stopTracing?.();
    });
    const readyMs = Math.round(process.uptime() * 1000);
    processLog().info({ url: service.url, readyMs }, `${module.name} subgraph ready at ${service.url} ${readyMs} ms after the process started`);
  } catch (error) {
    exitAfterLog(1, 'fatal', {}, startupFailureMessage(error));
  }
}
