import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { Identity } from '@hub/common';
import type { Database, Db, KeyedTables } from '@hub/db';
import type { DocumentNode, FormattedExecutionResult, GraphQLSchema } from 'graphql';
import { DirectQueries, type SubgraphRequest } from './direct-queries.ts';
import { refuseHiddenDemoData } from './demo-data.ts';
import type { Peers } from './peers.ts';
import type { BackgroundSettings, BackgroundTask } from './background.ts';
import { deadlinePlugin, timeoutAsCode } from './deadline.ts';
import type { HubMetrics } from './metrics.ts';
import { createLogger, type HubLogger } from './logger.ts';
import { requestLogPlugin } from './request-log.ts';

/**
 * A subgraph as a plain value: its schema, resolvers, database schema and seed, and how a
 * request's context is made. The gateway runs it in-process; `main.ts` serves it over HTTP.
 */
/**
 * What a start loads: the public-record seed always; the synthetic demo data when `demo` is on,
 * at `demoScale` (1: 80 demo projects; 10: 800), read only by the start that loads it.
 */
export interface SeedOptions {
  demo: boolean;
  demoScale?: number;
}

export interface SubgraphModule<TContext extends object> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /** The Postgres schema the subgraph owns. */
  dbSchema: string;
  /** Folder of its committed drizzle-kit migrations. */
  migrationsFolder: string;
  /**
   * Its tables versioned by a key column as well as whole (`keyedTables`), for the gateway's
   * caches: the statements that read them by that key say so (`readingRowsBy`).
   */
  versionedByKey?: KeyedTables;
  /** Loads the public-record seed once (and the synthetic demo data when asked); a no-op when it is there. */
  seed(db: Db, options: SeedOptions): Promise<void>;
  /** A fresh context, with fresh DataLoaders, for one request by `identity`. */
  createContext(db: Db, identity: Identity, peers: Peers): TContext;
  /**
   * Starts the subgraph's own background work, if it has any (background.ts): once per
   * process, after `seed`, when its peers can be reached. Resolves once it has looked for work
   * left pending, so that look is part of the start, not of the first requests.
   */
  startBackground?(db: Db, peers: Peers, settings: BackgroundSettings): Promise<BackgroundTask>;
}

export interface RunningSubgraph<TContext extends object> {
  module: SubgraphModule<TContext>;
  schema: GraphQLSchema;
  server: ApolloServer<TContext>;
  database: Database;
  createContext(identity: Identity): TContext;
  /**
   * Runs an operation in this process as the subgraph's Apollo Server answers it: a query
   * directly (direct-queries.ts), anything else through the server's pipeline.
   */
  execute(request: SubgraphRequest, contextValue: TContext): Promise<FormattedExecutionResult>;
  /** Starts the module's background work; once only, and nothing for a module that has none. */
  startBackground(settings: BackgroundSettings): Promise<void>;
  /** Stops the background work, after the try in flight; the server keeps serving. */
  stopBackground(): Promise<void>;
  /** Stops the background work, then the server. */
  stop(): Promise<void>;
}

/**
 * Migrates and seeds the subgraph's schema, one process at a time: replicas starting together
 * on a fresh Postgres take turns (an advisory lock), and the later ones find the work done.
 */
export async function prepareSubgraphDatabase(
  module: Pick<SubgraphModule<object>, 'dbSchema' | 'migrationsFolder' | 'seed'>,
  database: Database,
  options: SeedOptions,
): Promise<void> {
  await database.withMigrationLock(async () => {
    await database.migrate({ migrationsFolder: module.migrationsFolder, schema: module.dbSchema });
    if (!options.demo) await refuseHiddenDemoData(database.db, module.dbSchema);
    await module.seed(database.db, options);
  });
}

/**
 * A subgraph's Apollo Server (not started) and how an operation is run on it in this process:
 * a query directly, with the server's own plugins and error formatting (direct-queries.ts),
 * anything else through the server's pipeline.
 */
export function subgraphServer<TContext extends object>(
  name: string,
  schema: GraphQLSchema,
  options: { metrics?: HubMetrics | undefined; logger?: HubLogger | undefined },
): { server: ApolloServer<TContext>; execute: RunningSubgraph<TContext>['execute']; direct: DirectQueries<TContext> } {
  // The subgraphs give no cache hints. Apollo's cache-control plugin would also await each
  // resolver's result once more, and a drizzle query builder runs its SQL on every await.
  const plugins = [
    // Apollo's landing page loads from its CDN; a subgraph's only client is the gateway.
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
    ApolloServerPluginCacheControlDisabled(),
    deadlinePlugin(),
    ...(options.metrics ? [options.metrics.operationsPlugin(name)] : []),
    // Errors that are not the caller's are logged here, with their stacks, under the request's id.
    requestLogPlugin((options.logger ?? createLogger({ level: 'warn' })).child({ service: name }), { logInternalErrors: true }),
  ];
  // The queries run in this process do not go through this server's pipeline (DirectQueries):
  // a setting that changes how it parses, validates or executes (validation rules, introspection
  // off, a root value or field resolver) would have to be given to DirectQueries too, and to
  // graphql-jit, which compiles the queries asked more than once (compileQuery's options).
  const server = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // The gateway is the only client a subgraph has; it validates and limits operations itself.
    introspection: true,
    plugins,
    // The process drains on SIGTERM itself (requests in flight first); Apollo's own handler
    // would stop the server at once and send the signal again.
    stopOnTerminationSignals: false,
    formatError: timeoutAsCode,
  });
  const direct = new DirectQueries<TContext>(schema, plugins, timeoutAsCode, async (request, contextValue) => {
    const response = await server.executeOperation(request, { contextValue });
    if (response.body.kind !== 'single') throw new Error(`subgraph ${name} answered with an incremental response`);
    return response.body.singleResult;
  });
  return { server, execute: (request, contextValue) => direct.execute(request, contextValue), direct };
}

/** Migrates and seeds the subgraph's schema, then starts its Apollo Server (without listening). */
export async function startSubgraph<TContext extends object>(
  module: SubgraphModule<TContext>,
  database: Database,
  peers: Peers,
  options: SeedOptions & { metrics?: HubMetrics | undefined; logger?: HubLogger | undefined } = { demo: false },
): Promise<RunningSubgraph<TContext>> {
  await prepareSubgraphDatabase(module, database, options);
  const schema = buildSubgraphSchema({
    typeDefs: module.typeDefs,
    resolvers: module.resolvers as GraphQLResolverMap<unknown>,
  });
  const { server, execute } = subgraphServer<TContext>(module.name, schema, options);
  await server.start();
  let background: BackgroundTask | undefined;
  const stopBackground = async () => {
    const task = background;
    background = undefined;
    await task?.stop();
  };
  return {
    module,
    schema,
    server,
    database,
    createContext: (identity) => module.createContext(database.db, identity, peers),
    execute,
    async startBackground(settings) {
      if (!background) background = await module.startBackground?.(database.db, peers, settings);
    },
    stopBackground,
    async stop() {
      await stopBackground();
      await server.stop();
    },
  };
}
