import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  ApolloGateway,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { currentDeadline, openDatabase, type Database } from '@hub/db';
import { PUBLIC_IDENTITY, type Identity } from '@hub/common';
import {
  HttpRejection,
  PeerDirectory,
  TIMEOUT_HEADER,
  databaseAnswers,
  deadlinePlugin,
  inProcessTransport,
  listenHttp,
  signIdentity,
  startSubgraph,
  type HttpListener,
  type RunningSubgraph,
} from '@hub/server';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
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
import { OutageAwareDataSource, reportingUnreachable } from './subgraph-outage.ts';

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

/** Carries the caller from `willSendRequest` to the fetch, where the body is final; never sent. */
const UNSIGNED_IDENTITY_HEADER = 'x-hub-unsigned-identity';

/**
 * Routes to subgraph `audience` over HTTP, forwarding the caller's identity in a token for
 * that subgraph and the exact body sent. The token is made in the fetch itself: only there
 * is the body the bytes that go on the wire.
 */
export class SignedRemoteDataSource extends OutageAwareDataSource<GatewayContext> {
  constructor(url: string, audience: string, internalSecret: string) {
    super({ url });
    const send = this.fetcher;
    this.fetcher = async (target, init = {}) => {
      const { [UNSIGNED_IDENTITY_HEADER]: carried, ...headers } = (init.headers ?? {}) as Record<string, string>;
      const identity = carried ? (JSON.parse(carried) as Identity) : PUBLIC_IDENTITY;
      const signed = await signIdentity(identity, { secret: internalSecret, audience, body: init.body ?? '' });
      return send(target, { ...init, headers: { ...headers, ...signed } });
    };
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const identity = (context as Partial<GatewayContext>).identity ?? PUBLIC_IDENTITY;
    request.http?.headers.set(UNSIGNED_IDENTITY_HEADER, JSON.stringify(identity));
    // The subgraph stops its own work when the gateway's request runs out of time.
    const deadline = currentDeadline();
    if (deadline) request.http?.headers.set(TIMEOUT_HEADER, String(deadline.remaining()));
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
    buildService: ({ name, url }) => reportingUnreachable(name, options.dataSourceFor(name, url ?? '')),
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
    // The process drains on SIGTERM itself (requests in flight first); Apollo's own handler
    // would stop the server at once and send the signal again.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: options.limits.maxTokens },
    validationRules: operationLimitRules(options.limits),
    plugins: [operationKindPlugin(), deadlinePlugin(), costLimitPlugin(options.limits), errorMaskingPlugin()],
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
  // The port before the databases: a port in use ends the start before a data folder is opened.
  const http = await listenHttp({ port: config.port, host: config.host });
  // Filled as databases are opened, so that a failed start closes them (and frees their folders).
  const ownedDatabases: Database[] = [];
  try {
    return await startOnListener(config, options, supergraphSdl, urls, http, ownedDatabases);
  } catch (error) {
    for (const database of ownedDatabases) await database.close().catch(() => {});
    await http.stop(0);
    throw error;
  }
}

async function startOnListener(
  config: HubConfig,
  options: { databases?: Record<SubgraphName, Database> },
  supergraphSdl: string,
  urls: Record<string, string>,
  http: HttpListener,
  ownedDatabases: Database[],
): Promise<Hub> {
  let databases: Database[] = [];
  let subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>> = {};
  let dataSourceFor: (name: string, url: string) => GraphQLDataSource;
  if (config.topology === 'all-in-one') {
    // Databases handed in belong to the caller (tests); the hub closes only those it opened.
    const opened = options.databases
      ? { bySubgraph: options.databases, all: [...new Set(Object.values(options.databases))] }
      : await openSubgraphDatabases(config.databases);
    databases = opened.all;
    if (!options.databases) ownedDatabases.push(...opened.all);
    const running = await startInProcessSubgraphs(opened.bySubgraph, new PeerDirectory(), { demo: config.demoData });
    subgraphs = running;
    dataSourceFor = (name) => {
      if (!isSubgraphName(name)) throw new Error(`the supergraph names subgraph "${name}", which this hub does not have`);
      return new InProcessDataSource(running[name]);
    };
  } else {
    dataSourceFor = (name, url) => new SignedRemoteDataSource(url, name, config.internalSecret);
  }

  const server = createGatewayServer({ supergraphSdl, dataSourceFor, production: config.production, limits: config.limits });
  await server.start();
  const authenticate = await createAuthenticator(config.auth);
  const manifest = loadManifest(config.trustedDocuments.path);
  const perAddress = new RateLimiter(config.limits.perAddressPerMinute);
  const perIdentity = new RateLimiter(config.limits.perIdentityPerMinute);
  http.serve(server, {
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
        return { down: await databasesDown(subgraphs), topology: config.topology, subgraphs: Object.keys(subgraphs) };
      }
      const report = await remoteReadiness(urls);
      return { down: report.down, topology: config.topology, subgraphs: report.subgraphs };
    },
  });

  return {
    url: http.url,
    topology: config.topology,
    databases,
    subgraphs,
    async stop() {
      await http.stop(config.shutdownGraceMs);
      await server.stop();
      for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
      for (const database of ownedDatabases) await database.close();
    },
  };
}

/** `database:<subgraph>` for each in-process subgraph whose database does not answer. */
async function databasesDown(subgraphs: Partial<Record<SubgraphName, RunningSubgraph<object>>>): Promise<string[]> {
  // Subgraphs sharing one database are probed once.
  const probes = new Map<Database, Promise<boolean>>();
  const down: string[] = [];
  for (const [name, subgraph] of Object.entries(subgraphs)) {
    let probe = probes.get(subgraph.database);
    if (!probe) {
      probe = databaseAnswers(subgraph.database, `database:${name}`);
      probes.set(subgraph.database, probe);
    }
    if (!(await probe)) down.push(`database:${name}`);
  }
  return down;
}

/** Each remote subgraph's /readyz: `subgraph:<name>` is down when it is unreachable or not ready. */
async function remoteReadiness(urls: Record<string, string>): Promise<{ down: string[]; subgraphs: Record<string, string> }> {
  const subgraphs: Record<string, string> = {};
  const down: string[] = [];
  await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2000) });
        subgraphs[name] = response.ok ? 'ok' : 'not ready';
        if (!response.ok) down.push(`subgraph:${name}`);
      } catch {
        subgraphs[name] = 'unreachable';
        down.push(`subgraph:${name}`);
      }
    }),
  );
  return { down: down.sort(), subgraphs };
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
