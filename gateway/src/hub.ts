import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { openDatabase, type Database } from '@hub/db';
import { PUBLIC_IDENTITY, type Identity } from '@hub/common';
import {
  HttpRejection,
  PeerDirectory,
  inProcessTransport,
  serveHttp,
  signIdentity,
  startSubgraph,
  type HttpService,
  type RunningSubgraph,
} from '@hub/server';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
import { sql } from 'drizzle-orm';
import type { DatabaseConfig } from '@hub/server';
import { createAuthenticator } from './auth.ts';
import type { HubConfig, RequestLimits } from './config.ts';
import { applyTrustedDocuments, loadManifest } from './documents.ts';
import { errorMaskingPlugin } from './errors.ts';
import { costLimitPlugin, operationKindPlugin, operationLimitRules } from './limits.ts';
import { RateLimiter } from './rate-limit.ts';
import { InProcessDataSource } from './in-process-data-source.ts';
import { validateScalarsAtGateway } from './scalars.ts';
import { SUBGRAPHS, isSubgraphName, type SubgraphName } from './subgraphs.ts';

export interface GatewayContext {
  requestId: string;
  identity: Identity;
}

export interface Hub {
  url: string;
  topology: HubConfig['topology'];
  /** The databases of the in-process subgraphs (empty when distributed). */
  databases: Database[];
  subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>>;
  stop(): Promise<void>;
}

const MODULES = { shaanxi: shaanxiSubgraph, jiangsu: jiangsuSubgraph, pairing: pairingSubgraph };

/** The subgraph URLs a supergraph routes to, as `@join__graph` declares them. */
export function subgraphUrlsOf(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]*)"\)/g)) {
    urls[match[1] as string] = match[2] as string;
  }
  return urls;
}

/**
 * Opens one database per distinct configuration: in the default all-in-one topology the
 * three subgraphs share one embedded PGlite, each in its own Postgres schema.
 */
export async function openSubgraphDatabases(
  configs: Record<SubgraphName, DatabaseConfig>,
): Promise<{ bySubgraph: Record<SubgraphName, Database>; all: Database[] }> {
  const opened = new Map<string, Database>();
  const bySubgraph = {} as Record<SubgraphName, Database>;
  try {
    for (const { name } of SUBGRAPHS) {
      const config = configs[name];
      const key = config.url ?? `pglite:${config.dataDir}`;
      let database = opened.get(key);
      if (!database) {
        database = await openDatabase({ url: config.url, dataDir: config.url ? undefined : config.dataDir });
        opened.set(key, database);
      }
      bySubgraph[name] = database;
    }
  } catch (error) {
    await Promise.all([...opened.values()].map((database) => database.close()));
    throw error;
  }
  return { bySubgraph, all: [...opened.values()] };
}

/** Starts the three subgraphs in this process on the given databases (migrated and seeded). */
export async function startInProcessSubgraphs(
  databases: Record<SubgraphName, Database>,
  peers: PeerDirectory = new PeerDirectory(),
  options: { demo: boolean } = { demo: false },
): Promise<Record<SubgraphName, RunningSubgraph<object>>> {
  const running = {} as Record<SubgraphName, RunningSubgraph<object>>;
  // One after the other: a shared PGlite runs one statement at a time anyway.
  for (const { name } of SUBGRAPHS) {
    running[name] = (await startSubgraph(MODULES[name] as never, databases[name], peers.for(name), options)) as RunningSubgraph<object>;
  }
  for (const { name } of SUBGRAPHS) peers.register(name, inProcessTransport(running[name]));
  return running;
}

/** Routes to a subgraph over HTTP, forwarding the caller's identity signed for the subgraph to verify. */
export class SignedRemoteDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly internalSecret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const identity = (context as Partial<GatewayContext>).identity ?? PUBLIC_IDENTITY;
    for (const [name, value] of Object.entries(signIdentity(identity, this.internalSecret))) {
      request.http?.headers.set(name, value);
    }
  }
}

/** The gateway's Apollo Server for a supergraph, with a data source per subgraph. */
export function createGatewayServer(options: {
  supergraphSdl: string;
  dataSourceFor(name: string, url: string): GraphQLDataSource;
  production: boolean;
  limits: RequestLimits;
}): ApolloServer<GatewayContext> {
  // Apollo Gateway otherwise probes cloud metadata endpoints and exports usage metrics to
  // Apollo; the hub sends nothing anywhere unless its operator asks for it.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => options.dataSourceFor(name, url ?? ''),
    logger: quietLogger,
  });
  validateScalarsAtGateway(gateway);
  return new ApolloServer<GatewayContext>({
    gateway,
    introspection: !options.production,
    // No "did you mean" suggestions in production: they spell out the schema to a scanner.
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    parseOptions: { maxTokens: options.limits.maxTokens },
    validationRules: operationLimitRules(options.limits),
    plugins: [operationKindPlugin(), costLimitPlugin(options.limits), errorMaskingPlugin()],
  });
}

/**
 * Starts the hub: the gateway on HTTP, and in the all-in-one topology the three subgraphs in
 * this process on their databases.
 */
export async function startHub(
  config: HubConfig,
  options: { databases?: Record<SubgraphName, Database> } = {},
): Promise<Hub> {
  const supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  const urls = subgraphUrlsOf(supergraphSdl);

  let databases: Database[] = [];
  let ownedDatabases: Database[] = [];
  let subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>> = {};
  let dataSourceFor: (name: string, url: string) => GraphQLDataSource;
  if (config.topology === 'all-in-one') {
    // Databases handed in belong to the caller (tests); the hub closes only those it opened.
    const opened = options.databases
      ? { bySubgraph: options.databases, all: [...new Set(Object.values(options.databases))] }
      : await openSubgraphDatabases(config.databases);
    databases = opened.all;
    if (!options.databases) ownedDatabases = opened.all;
    const running = await startInProcessSubgraphs(opened.bySubgraph, new PeerDirectory(), { demo: config.demoData });
    subgraphs = running;
    dataSourceFor = (name) => {
      if (!isSubgraphName(name)) throw new Error(`the supergraph names subgraph "${name}", which this hub does not have`);
      return new InProcessDataSource(running[name]);
    };
  } else {
    dataSourceFor = (_name, url) => new SignedRemoteDataSource(url, config.internalSecret);
  }

  const server = createGatewayServer({ supergraphSdl, dataSourceFor, production: config.production, limits: config.limits });
  await server.start();
  const authenticate = await createAuthenticator(config.auth);
  const manifest = loadManifest(config.trustedDocuments.path);
  const perAddress = new RateLimiter(config.limits.perAddressPerMinute);
  const perIdentity = new RateLimiter(config.limits.perIdentityPerMinute);
  const http: HttpService = await serveHttp(server, {
    port: config.port,
    host: config.host,
    maxBodyBytes: config.limits.maxBodyBytes,
    timeoutMs: config.limits.timeoutMs,
    context: async ({ request, headers, body, address }) => {
      enforce(perAddress.take(`address:${address}`), 'address');
      const identity = await authenticate(headers.get('authorization'));
      if (identity.subject) enforce(perIdentity.take(`identity:${identity.subject}`), 'identity');
      const search = new URL(request.url ?? '/', 'http://localhost').searchParams;
      applyTrustedDocuments(body, search, manifest, config.trustedDocuments.required);
      return { requestId: randomUUID(), identity };
    },
    health: async () => {
      if (config.topology === 'all-in-one') {
        for (const database of databases) await database.db.execute(sql`select 1`);
        return { topology: config.topology, subgraphs: Object.keys(subgraphs) };
      }
      return { topology: config.topology, subgraphs: await remoteHealth(urls) };
    },
  });

  return {
    url: http.url,
    topology: config.topology,
    databases,
    subgraphs,
    async stop() {
      await http.stop();
      await server.stop();
      for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
      for (const database of ownedDatabases) await database.close();
    },
  };
}

/** Each remote subgraph's /health; throws (so the gateway answers 503) when one is down. */
async function remoteHealth(urls: Record<string, string>): Promise<Record<string, string>> {
  const report: Record<string, string> = {};
  const down: string[] = [];
  await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(2000) });
        report[name] = response.ok ? 'ok' : `status ${response.status}`;
        if (!response.ok) down.push(name);
      } catch {
        report[name] = 'unreachable';
        down.push(name);
      }
    }),
  );
  if (down.length > 0) throw new Error(`subgraphs not healthy: ${down.sort().join(', ')}`);
  return report;
}

function enforce(decision: ReturnType<RateLimiter['take']>, scope: 'address' | 'identity'): void {
  if (decision.allowed) return;
  throw new HttpRejection(
    429,
    'RATE_LIMITED',
    `Too many requests from this ${scope}; try again in ${decision.retryAfterSeconds} s.`,
    { 'retry-after': String(decision.retryAfterSeconds) },
    { scope, retryAfterSeconds: decision.retryAfterSeconds },
  );
}

const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: (message: unknown) => console.warn(message),
  error: (message: unknown) => console.error(message),
};
