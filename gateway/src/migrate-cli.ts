import { join } from 'node:path';
import { openDatabase, type Database } from '@hub/db';
import { prepareSubgraphDatabase, startupFailureMessage } from '@hub/server';
import { readHubConfig, seedOptionsOf } from './config.ts';
import { openSubgraphDatabases } from './subgraph-databases.ts';
import { SUBGRAPH_MODULES } from './subgraph-modules.ts';
import { SUBGRAPHS, type SubgraphName } from './subgraphs.ts';

/**
 * `npm run migrate` applies every subgraph's migrations and loads the seed, then exits: for
 * operators who run it as its own step before starting replicas. Starting the hub does the
 * same, so this step is optional; both take the same advisory lock on a Postgres server.
 * With TOPOLOGY=distributed and no connection URL, each subgraph's embedded database is DATA_DIR/<name>,
 * as `npm run start:<name>` opens it.
 */

let opened: Database[] = [];
try {
  const config = readHubConfig();
  const bySubgraph = {} as Record<SubgraphName, Database>;
  if (config.topology === 'all-in-one') {
    const databases = await openSubgraphDatabases(config.databases);
    opened = databases.all;
    Object.assign(bySubgraph, databases.bySubgraph);
  } else {
    for (const { name } of SUBGRAPHS) {
      const { url, dataDir, embedded } = config.databases[name];
      bySubgraph[name] = await openDatabase({ url, dataDir: url ? undefined : join(dataDir, name), embedded });
      opened.push(bySubgraph[name]);
    }
  }
  for (const { name } of SUBGRAPHS) {
    const started = Date.now();
    await prepareSubgraphDatabase(SUBGRAPH_MODULES[name], bySubgraph[name], seedOptionsOf(config));
    console.log(`${name}: migrated and seeded (${bySubgraph[name].kind}) in ${Date.now() - started} ms`);
  }
  for (const database of opened) await database.close();
} catch (error) {
  console.error(startupFailureMessage(error));
  for (const database of opened) await database.close().catch(() => {});
  process.exit(1);
}
