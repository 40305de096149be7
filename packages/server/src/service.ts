import { join } from 'node:path';
import { sql } from 'drizzle-orm';
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
import { HttpRejection, serveHttp, type HttpService } from './http.ts';
import { verifyIdentity } from './trust.ts';
import { startSubgraph, type RunningSubgraph, type SubgraphModule } from './subgraph.ts';

/**
 * Serves a started subgraph over HTTP: POST/GET /graphql and GET /health. Every GraphQL
 * request must carry the identity the gateway signed with `internalSecret`; anything else is
 * refused with 401, so the subgraph cannot be reached around the gateway.
 */
export function serveRunningSubgraph<TContext extends object>(
  subgraph: RunningSubgraph<TContext>,
  options: { port: number; host?: string; internalSecret: string },
): Promise<HttpService> {
  const { internalSecret, ...listen } = options;
  return serveHttp(subgraph.server, {
    ...listen,
    context: async ({ headers }) => {
      const identity = verifyIdentity(headers, internalSecret);
      if (!identity) {
        throw new HttpRejection(401, 'UNAUTHENTICATED', 'This subgraph answers only the gateway.');
      }
      return subgraph.createContext(identity);
    },
    health: async () => {
      await subgraph.database.db.execute(sql`select 1`);
      return { subgraph: subgraph.module.name, database: subgraph.database.kind };
    },
  });
}

/**
 * Serves one subgraph over HTTP, for the distributed topology. Reads `PORT`, `HOST`,
 * `<NAME>_DATABASE_URL` or `DATABASE_URL`, and `DATA_DIR` (PGlite under DATA_DIR/<name>).
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
  const internalSecret = internalSecretFrom(reader, isProduction(reader));
  const demo = reader.flag('DEMO_DATA', true);
  reader.done();

  // The other subgraphs, reached over HTTP for rules that span two of them.
  const peers = new PeerDirectory();
  for (const name of SUBGRAPH_NAMES) {
    if (name !== module.name) peers.register(name, httpTransport(subgraphUrlFrom(env, name), internalSecret));
  }
  const db = await openDatabase({ url: database.url, dataDir: join(database.dataDir, module.name) });
  const subgraph = await startSubgraph(module, db, peers.for(module.name), { demo });
  const http = await serveRunningSubgraph(subgraph, { port, host, internalSecret });
  return {
    ...http,
    async close() {
      await http.stop();
      await subgraph.stop();
      await db.close();
    },
  };
}

/** The body of a subgraph's `main.ts`: serve it and stop cleanly on SIGINT or SIGTERM. */
export async function runSubgraphMain<TContext extends object>(module: SubgraphModule<TContext>, defaultPort: number) {
  try {
    const service = await serveSubgraph(module, defaultPort);
    console.log(`${module.name} subgraph ready at ${service.url}`);
    const stop = () => {
      service.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
