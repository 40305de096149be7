import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import type { Database } from '@hub/db';
import { SUBGRAPH_MODULES, SUBGRAPHS, openSubgraphDatabases, readHubConfig, seedOptionsOf } from '@hub/gateway';
import { prepareSubgraphDatabase, startupFailureMessage } from '@hub/server';
import { loadBenchPlan } from './load.ts';
import { BENCH_DEFAULTS, benchPlan, benchPlanCounts } from './plan.ts';

/**
 * `npm run bench:data -- --projects 10000 --seed 1 [--data-dir DIR]` migrates and seeds the three
 * subgraph schemas as `npm run migrate` does (the public record, no demo data), then loads a
 * generated bench plan: into the embedded database under DATA_DIR (or --data-dir), or the Postgres server
 * DATABASE_URL names. The plan loads once per database; a second run finds it there.
 */

const USAGE =
  'usage: npm run bench:data -- [--projects N] [--seed N] [--shaanxi-organizations N] [--jiangsu-organizations N] [--data-dir DIR]\n' +
  '       (DATABASE_URL=postgres://... loads into a Postgres server instead of a PGlite folder)';

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a whole number; got ${value}\n${USAGE}`);
  return Number(value);
}

let opened: Database[] = [];
try {
  const { values } = parseArgs({
    options: {
      projects: { type: 'string' },
      seed: { type: 'string' },
      'shaanxi-organizations': { type: 'string' },
      'jiangsu-organizations': { type: 'string' },
      'data-dir': { type: 'string' },
    },
    strict: true,
  });
  const options = {
    projects: wholeNumber('projects', values.projects, BENCH_DEFAULTS.projects),
    seed: wholeNumber('seed', values.seed, BENCH_DEFAULTS.seed),
    shaanxiOrganizations: wholeNumber('shaanxi-organizations', values['shaanxi-organizations'], BENCH_DEFAULTS.shaanxiOrganizations),
    jiangsuOrganizations: wholeNumber('jiangsu-organizations', values['jiangsu-organizations'], BENCH_DEFAULTS.jiangsuOrganizations),
  };
  // The bench data stands beside the public record alone: a start with DEMO_DATA=false serves it.
  const env = { ...process.env, DEMO_DATA: 'false', TOPOLOGY: 'all-in-one', ...(values['data-dir'] ? { DATA_DIR: values['data-dir'] } : {}) };
  const config = readHubConfig(env);
  const started = Date.now();
  const databases = await openSubgraphDatabases(config.databases);
  opened = databases.all;
  for (const { name } of SUBGRAPHS) {
    await prepareSubgraphDatabase(SUBGRAPH_MODULES[name], databases.bySubgraph[name], seedOptionsOf(config));
  }
  const where = config.databases.shaanxi.url ? 'the Postgres server of DATABASE_URL' : config.databases.shaanxi.dataDir;
  console.log(`migrated and seeded the public record (${databases.bySubgraph.shaanxi.kind}, ${where}) in ${Date.now() - started} ms`);

  const generating = Date.now();
  const plan = benchPlan(options);
  console.log(`generated ${plan.name} in ${Date.now() - generating} ms:`);
  for (const [what, count] of Object.entries(benchPlanCounts(plan))) console.log(`  ${what.padEnd(22)} ${count}`);

  const loading = Date.now();
  const loaded = await loadBenchPlan(
    { shaanxi: databases.bySubgraph.shaanxi.db, jiangsu: databases.bySubgraph.jiangsu.db, pairing: databases.bySubgraph.pairing.db },
    plan,
  );
  for (const [name, ran] of Object.entries(loaded)) console.log(`  ${name}: ${ran ? 'loaded' : 'already loaded, left as it was'}`);
  console.log(`loaded in ${Date.now() - loading} ms`);
  // Vacuumed and analyzed now rather than when autovacuum next looks. Without the planner's
  // statistics a data set measured right after it is made would be planned as if its tables
  // were empty; without the visibility map no count is answered from an index alone, and
  // autovacuum would vacuum every table of every copy of the data while it is measured.
  const vacuuming = Date.now();
  for (const database of new Set(opened)) await database.db.execute(sql`vacuum (analyze)`);
  console.log(`vacuumed and analyzed in ${Date.now() - vacuuming} ms; ${Date.now() - started} ms in all`);
  for (const database of opened) await database.close();
} catch (error) {
  console.error(error instanceof Error && error.message.includes(USAGE) ? error.message : startupFailureMessage(error));
  for (const database of opened) await database.close().catch(() => {});
  process.exit(1);
}
