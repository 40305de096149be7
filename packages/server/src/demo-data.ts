import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@hub/db';
import { DEMO_SEED_NAME } from '@hub/demo';
import { ConfigError } from './environment.ts';

/**
 * With `DEMO_DATA=false`, refuses to start on a database that already holds the synthetic demo
 * data. Hiding it would leave it in every total and in the books it touched, and deleting it
 * would remove history the stage events keep forever; the operator chooses instead (see
 * docs/decisions/0014-real-and-synthetic-records.md).
 */
export async function refuseHiddenDemoData(db: Db, dbSchema: string): Promise<void> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select name from ${sql.identifier(dbSchema)}.seed_log where name = ${DEMO_SEED_NAME}`,
  );
  if (rows.length === 0) return;
  throw new ConfigError([
    `DEMO_DATA=false, but the ${dbSchema} database already holds the synthetic demo data (loaded by an earlier start). ` +
      'Start on a new data folder (DATA_DIR) or database to leave it out, or keep DEMO_DATA=true and ask lists for ' +
      'provenance: [PUBLIC_RECORD, ENTERED] to see real records only.',
  ]);
}
