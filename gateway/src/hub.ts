import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from '@hub/db';
import { HubMetrics, createLogger, listenHttp, type HubLogger, type RunningSubgraph } from '@hub/server';
import type { HubConfig } from './config.ts';
import type { PdfRenderer } from './package-pdf/render-pool.ts';
import { openSubgraphDatabases, type SubgraphDatabases } from './subgraph-databases.ts';
import { subgraphUrlsOf, type SubgraphName } from './subgraphs.ts';

export interface Hub {
  url: string;
  topology: HubConfig['topology'];
  /** The databases of the in-process subgraphs (empty when distributed). */
  databases: Database[];
  subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Databases that belong to the caller (tests): the hub uses them and leaves them open. */
  databases?: Record<SubgraphName, Database>;
  /** What renders printable packages; the hub's own worker threads unless given (tests). */
  pdfRenderer?: PdfRenderer;
  /** Where the hub logs (the gateway and each in-process subgraph through a child); stderr at LOG_LEVEL unless given. */
  logger?: HubLogger;
}

/** The explorer's bundle (scripts/build.mjs): the same folder from gateway/src and gateway/dist. */
const EXPLORER_BUILD = fileURLToPath(new URL('../../packages/explorer/dist/', import.meta.url));
/** The web console's bundle, the same way. */
const CONSOLE_BUILD = fileURLToPath(new URL('../../packages/console/dist/', import.meta.url));

/**
 * Starts the hub: the gateway on HTTP, and in the all-in-one topology the three subgraphs in
 * this process on their databases.
 *
 * This module is light on purpose. The port is taken first (a port in use ends the start
 * before a data folder is opened), then the databases begin to open, and only then is the
 * gateway's own code loaded (`hub-serving.ts`, with Apollo Gateway and the subgraphs: most of
 * a start's time is loading them). The embedded database server boots in a process of its
 * own meanwhile, so the two overlap.
 */
export async function startHub(config: HubConfig, options: StartOptions = {}): Promise<Hub> {
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  const urls = subgraphUrlsOf(supergraphSdl);
  const metrics = new HubMetrics();
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const http = await listenHttp({
    port: config.port,
    host: config.host,
    maxBodyBytes: config.limits.maxBodyBytes,
    trustedProxies: config.trustedProxies,
    metrics: { metrics, access: config.metrics },
    logger: logger.child({ service: 'gateway' }),
    // Off in production, as introspection is: there GET /graphql is GraphQL's alone.
    ...(config.production ? {} : { explorer: { folder: EXPLORER_BUILD } }),
    // On in production too: the console sends only the manifest's trusted documents.
    console: { folder: CONSOLE_BUILD },
  });
  let opening: Promise<SubgraphDatabases> | undefined;
  try {
    if (config.topology === 'all-in-one') {
      // Databases handed in belong to the caller; the hub closes only those it opened.
      opening = options.databases
        ? Promise.resolve({ bySubgraph: options.databases, all: [...new Set(Object.values(options.databases))] })
        : openSubgraphDatabases(config.databases);
      // Awaited where it is used; a failure before then is no unhandled rejection.
      opening.catch(() => {});
    }
    const { serveHub } = await import('./hub-serving.ts');
    return await serveHub(config, options, { supergraphSdl, urls, http, opening, metrics, logger });
  } catch (error) {
    // Once the opening has settled, so that a folder being opened is closed too.
    const opened = await opening?.catch(() => undefined);
    if (opened && !options.databases) for (const database of opened.all) await database.close().catch(() => {});
    await http.stop(0);
    throw error;
  }
}
