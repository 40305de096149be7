import { openDatabase, type Database } from '@hub/db';
import type { DatabaseConfig } from '@hub/server';
import { SUBGRAPHS, type SubgraphName } from './subgraphs.ts';

/** The hub's databases: each subgraph's, and each distinct one once (to be closed once). */
export interface SubgraphDatabases {
  bySubgraph: Record<SubgraphName, Database>;
  all: Database[];
}

/**
 * Opens one database per distinct configuration: in the default all-in-one topology the
 * three subgraphs share one embedded database, each in its own Postgres schema.
 */
export async function openSubgraphDatabases(configs: Record<SubgraphName, DatabaseConfig>): Promise<SubgraphDatabases> {
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
