import { openDatabase, type Database } from '@hub/db';
import { PeerDirectory, inProcessTransport, startSubgraph, type DatabaseConfig, type RunningSubgraph, type SeedOptions } from '@hub/server';
import { SUBGRAPH_MODULES } from './subgraph-modules.ts';
import { SUBGRAPHS, type SubgraphName } from './subgraphs.ts';

/**
 * Opens one database per distinct configuration: in the default all-in-one topology the
 * three subgraphs share one embedded database, each in its own Postgres schema.
 */
export async function openSubgraphDatabases(
  configs: Record<SubgraphName, DatabaseConfig>,
): Promise<{ bySubgraph: Record<SubgraphName, Database>; all: Database[] }> {
  const opened = new Map<string, Database>();
  const bySubgraph = {} as Record<SubgraphName, Database>;
  try {
    for (const { name } of SUBGRAPHS) {
      const config = configs[name];
      const key = config.url ?? `${config.embedded}:${config.dataDir}`;
      let database = opened.get(key);
      if (!database) {
        database = await openDatabase({ url: config.url, dataDir: config.url ? undefined : config.dataDir, embedded: config.embedded });
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
  options: SeedOptions = { demo: false },
): Promise<Record<SubgraphName, RunningSubgraph<object>>> {
  // One after the other: start-up is not the hot path, and the logs stay in order.
  const running: Record<SubgraphName, RunningSubgraph<object>> = {
    shaanxi: anyContext(await startSubgraph(SUBGRAPH_MODULES.shaanxi, databases.shaanxi, peers.for('shaanxi'), options)),
    jiangsu: anyContext(await startSubgraph(SUBGRAPH_MODULES.jiangsu, databases.jiangsu, peers.for('jiangsu'), options)),
    pairing: anyContext(await startSubgraph(SUBGRAPH_MODULES.pairing, databases.pairing, peers.for('pairing'), options)),
  };
  for (const { name } of SUBGRAPHS) peers.register(name, inProcessTransport(running[name]));
  return running;
}

/**
 * Past this point a running subgraph's context is opaque: the hub only passes the context a
 * subgraph made back into that same subgraph's server, so its type no longer matters. The
 * compiler cannot see that (a server is invariant in its context), hence this one widening.
 */
function anyContext<TContext extends object>(subgraph: RunningSubgraph<TContext>): RunningSubgraph<object> {
  return subgraph as unknown as RunningSubgraph<object>;
}
