import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { DataVersions, installDataVersion, type Database, type KeyedTables } from '@hub/db';
import { PeerDirectory, type HttpListener, type HubLogger, type HubMetrics, type PeerTransport, type RunningSubgraph } from '@hub/server';
import { seedOptionsOf, type HubConfig } from './config.ts';
import { exportRoutes } from './exports/routes.ts';
import { checksSupergraph, createGatewayServer } from './gateway-server.ts';
import type { Hub, StartOptions } from './hub.ts';
import { InProcessDataSource } from './in-process-data-source.ts';
import { FetchCache } from './fetch-cache.ts';
import { InFlightReads } from './in-flight-reads.ts';
import { startInProcessSubgraphs } from './in-process-subgraphs.ts';
import { inProcessReadiness, remoteReadiness } from './readiness.ts';
import { PackagePrinter } from './package-pdf/printer.ts';
import { PdfWorkerPool } from './package-pdf/render-pool.ts';
import { packagePdfRoute } from './package-pdf/route.ts';
import { gatewayAdmission, gatewayContextFactory, type Gate } from './request-context.ts';
import { SignedRemoteDataSource } from './signed-data-source.ts';
import { RequestVersions } from './request-versions.ts';
import { ResponseCache } from './response-cache.ts';
import type { SubgraphDatabases } from './subgraph-databases.ts';
import { SUBGRAPH_MODULES } from './subgraph-modules.ts';
import { SUBGRAPHS, isSubgraphName, type SubgraphName } from './subgraphs.ts';
import { TakingTurns } from './turns.ts';

/** What `startHub` has done before loading this module. */
export interface StartedSoFar {
  supergraphSdl: string;
  urls: Record<string, string>;
  /** Listening, serving nothing yet. */
  http: HttpListener;
  /** In the all-in-one topology, the databases being opened. */
  opening: Promise<SubgraphDatabases> | undefined;
  /** What the listener counts and serves at /metrics; the rest of the hub counts into it too. */
  metrics: HubMetrics;
  /** The process's root logger: each part logs through a child naming it. */
  logger: HubLogger;
}

/**
 * A subgraph's data source once the subgraph runs: the gateway is built before it does, and
 * asks nothing of it until the hub serves (after the subgraphs have started).
 */
class PendingDataSource implements GraphQLDataSource {
  /** Once the subgraph runs: every fetch then goes straight to it, with no promise to wait on. */
  private ready: GraphQLDataSource | undefined;

  constructor(private readonly source: Promise<GraphQLDataSource>) {
    source.then((ready) => (this.ready = ready)).catch(() => {});
  }

  process(options: GraphQLDataSourceProcessOptions) {
    return this.ready ? this.ready.process(options) : this.source.then((ready) => ready.process(options));
  }
}

/** Observes how long each fetch from a subgraph takes the gateway, and how it ends. */
class TimedDataSource implements GraphQLDataSource {
  constructor(
    private readonly subgraph: string,
    private readonly source: GraphQLDataSource,
    private readonly metrics: HubMetrics,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions) {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const response = await this.source.process(options);
      this.metrics.observeFetch(this.subgraph, response.errors?.length ? 'errors' : 'ok', seconds());
      return response;
    } catch (error) {
      this.metrics.observeFetch(this.subgraph, 'failed', seconds());
      throw error;
    }
  }
}

/** Each subgraph keeps its tables in a schema of its own name: the tables whose versions the response cache reads. */
const SUBGRAPH_SCHEMAS = SUBGRAPHS.map(({ name }) => name);
/** The same, as the sets the caches and the joining of reads note tables of (one set: noting keeps what it found per set). */
const NOTED_SCHEMAS: ReadonlySet<string> = new Set(SUBGRAPH_SCHEMAS);
/** The subgraphs' tables versioned by key as well as whole. */
const KEYED_TABLES: KeyedTables = Object.assign({}, ...SUBGRAPHS.map(({ name }) => SUBGRAPH_MODULES[name].versionedByKey ?? {}));

/**
 * The rest of a start (hub.ts): the subgraphs on their databases and the gateway, built at
 * once, then served on the listener. A failure stops what had started; `startHub` closes the
 * databases and the listener.
 */
export async function serveHub(config: HubConfig, options: StartOptions, { supergraphSdl, urls, http, opening, metrics, logger }: StartedSoFar): Promise<Hub> {
  let databases: Database[] = [];
  let subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>> = {};
  let dataSourceFor: (name: string, url: string) => GraphQLDataSource;
  let responseCache: ResponseCache | undefined;
  let fetchCache: FetchCache | undefined;
  let requestVersions: RequestVersions | undefined;
  let inProcess: Promise<unknown> | undefined;
  /** Stops counting into `metrics` what outlives this hub (databases handed in by a test). */
  const unwatch: (() => void)[] = [];
  if (opening) {
    if (config.responseCache) {
      const versions = (requestVersions = new RequestVersions(async () => {
        // Each subgraph's tables are in its own schema, so the databases' versions never share a name.
        return DataVersions.of(await Promise.all(databases.map((database) => database.readDataVersions())));
      }));
      responseCache = new ResponseCache((deadline) => versions.of(deadline), NOTED_SCHEMAS);
      fetchCache = new FetchCache(versions, NOTED_SCHEMAS);
    }
    const kept = fetchCache;
    const peerReads = kept ? (name: string, transport: PeerTransport) => kept.wrapPeer(name, transport) : undefined;
    // The subgraphs start while the gateway below is built: the embedded server may still be
    // booting in a process of its own, so this thread has the planning to do meanwhile.
    const running = (async () => {
      const opened = await opening;
      databases = opened.all;
      for (const database of databases) {
        // Under the subgraphs it serves: `shaanxi+jiangsu+pairing` for the one embedded database.
        const names = SUBGRAPHS.filter(({ name }) => opened.bySubgraph[name] === database).map(({ name }) => name);
        unwatch.push(metrics.watchDatabase(names.join('+'), database));
      }
      const started = await startInProcessSubgraphs(opened.bySubgraph, new PeerDirectory(), { ...seedOptionsOf(config), metrics, logger, ...(peerReads ? { peerReads } : {}) });
      subgraphs = started;
      // The gateway reads the databases' versions itself: it can only where they are its own.
      if (config.responseCache) for (const database of databases) await installDataVersion(database, SUBGRAPH_SCHEMAS, KEYED_TABLES);
      return started;
    })();
    // Awaited below, once the gateway is built; a failure before then is no unhandled rejection.
    running.catch(() => {});
    inProcess = running;
    dataSourceFor = (name) => {
      if (!isSubgraphName(name)) throw new Error(`the supergraph names subgraph "${name}", which this hub does not have`);
      const source = new PendingDataSource(running.then((started) => new InProcessDataSource(started[name])));
      return fetchCache ? fetchCache.wrap(name, source) : source;
    };
  } else {
    dataSourceFor = (name, url) => new SignedRemoteDataSource(url, name, config.internalSecret);
  }

  if (config.deduplicateReads) {
    // In one process the subgraphs' statements are seen here: the tables each write wrote and
    // each request read are noted, and a read may join one begun before a write that wrote none of its.
    const reads = new InFlightReads(requestVersions, opening ? NOTED_SCHEMAS : undefined);
    const direct = dataSourceFor;
    dataSourceFor = (name, url) => reads.wrap(name, direct(name, url));
  }
  const untimed = dataSourceFor;
  dataSourceFor = (name, url) => new TimedDataSource(name, untimed(name, url), metrics);
  if (config.concurrency) {
    // Outside every fetch another request may join, so that a request waiting for its turn
    // is never one that a request holding a turn waits for.
    const unlimited = dataSourceFor;
    dataSourceFor = (name, url) => new TakingTurns(unlimited(name, url));
  }
  const gatewayLogger = logger.child({ service: 'gateway' });
  const server = createGatewayServer({ supergraphSdl, validateSupergraph: checksSupergraph(config.supergraphPath), dataSourceFor, production: config.production, limits: config.limits, responseCache, metrics, logger: gatewayLogger });
  const planned = await server.start().then(
    () => null,
    (error: unknown) => ({ error }),
  );
  // Whatever the gateway's fate, the databases are then opened (and so listed to be closed)
  // or failed, and the subgraphs started or not.
  const started = await inProcess?.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  // What serving holds open, to be closed with the hub, or at once if the start cannot finish.
  const held: { gate?: Gate; printer?: PackagePrinter } = {};
  /**
   * Stops what did start, before `startHub` closes the databases under it and the listener:
   * each part whatever the others do (a gateway whose start failed refuses to stop; no news).
   */
  const stopStarted = async () => {
    await held.printer?.close().catch(() => {});
    await held.gate?.close().catch(() => {});
    await server.stop().catch(() => {});
    for (const subgraph of Object.values(subgraphs)) await subgraph.stopBackground().catch(() => {});
    for (const subgraph of Object.values(subgraphs)) await subgraph.stop().catch(() => {});
    for (const stop of unwatch) stop();
  };
  const failed = planned ?? started;
  if (failed) {
    // The first failure is the one told.
    await stopStarted();
    throw failed.error;
  }
  if (config.production && !config.rateLimits.redisUrl) {
    gatewayLogger.warn('no REDIS_URL: rate limits are counted by each gateway replica alone');
  }
  try {
    const gate = (held.gate = await gatewayAdmission(config, { metrics, logger: gatewayLogger }));
    const context = gatewayContextFactory(config, gate.admit);
    // A renderer handed in belongs to the caller, as databases do; the hub's own threads are closed with it.
    const printer = (held.printer = new PackagePrinter(options.pdfRenderer ?? new PdfWorkerPool(), { ownsRenderer: !options.pdfRenderer }));
    http.serve(server, {
      timeoutMs: config.limits.timeoutMs,
      ...(config.concurrency ? { concurrency: config.concurrency } : {}),
      context,
      routes: [packagePdfRoute(server, gate.admit, printer), ...exportRoutes(server, gate.admit, { publisher: config.openData, timeoutMs: config.limits.timeoutMs })],
      health: async () => {
        const report = config.topology === 'all-in-one' ? await inProcessReadiness(subgraphs) : await remoteReadiness(urls);
        return { down: report.down, topology: config.topology, subgraphs: report.subgraphs };
      },
    });
    // Once the subgraphs can reach one another: a pending signing's first try may need them all.
    for (const subgraph of Object.values(subgraphs)) await subgraph.startBackground(config.background);
  } catch (error) {
    await stopStarted();
    throw error;
  }
  const { gate, printer } = held as Required<typeof held>;

  return {
    url: http.url,
    topology: config.topology,
    databases,
    subgraphs,
    async stop() {
      await http.stop(config.shutdownGraceMs);
      // After the drain: a print in flight finished on its thread.
      await printer.close();
      await gate.close();
      await server.stop();
      // Background work first, while every subgraph it may ask still answers.
      for (const subgraph of Object.values(subgraphs)) await subgraph.stopBackground();
      for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
      for (const stop of unwatch) stop();
      if (!options.databases) for (const database of databases) await database.close();
    },
  };
}
