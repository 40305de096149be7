import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '@hub/db';
import { prepareSubgraphDatabase, type SubgraphModule } from '@hub/server';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';

/**
 * Replicas starting together on a fresh Postgres each migrate and seed on start. They take
 * turns under an advisory lock: every start succeeds, and schemas, migration rows and seed
 * rows exist exactly once. A Postgres server only: PGlite is one process per data folder.
 */
const serverUrl = process.env.TEST_DATABASE_URL;
const MODULES = [shaanxiSubgraph, jiangsuSubgraph, pairingSubgraph] as SubgraphModule<object>[];

async function withFreshDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `hub_migrate_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl as string);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** What a start does before serving: every subgraph's migrations and seed, on its own connections. */
async function startReplica(url: string): Promise<void> {
  const database = await openDatabase({ url, poolSize: 3 });
  try {
    for (const module of MODULES) await prepareSubgraphDatabase(module, database, { demo: true });
  } finally {
    await database.close();
  }
}

/** Rows in every table of the three schemas and of the migration journals, by table. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const database: Database = await openDatabase({ url, poolSize: 1 });
  try {
    const tables = await queryRows<{ name: string }>(
      database.db,
      sql`select schemaname || '.' || tablename as name from pg_tables
          where schemaname in ('shaanxi', 'jiangsu', 'pairing', 'drizzle') order by 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const [row] = await queryRows<{ n: number }>(database.db, sql.raw(`select count(*)::int as n from ${name}`));
      counts[name] = row!.n;
    }
    return counts;
  } finally {
    await database.close();
  }
}

const journalEntries = (module: SubgraphModule<object>) =>
  (JSON.parse(readFileSync(join(module.migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

describe.skipIf(!serverUrl)('three replicas starting together on a fresh Postgres (needs TEST_DATABASE_URL)', () => {
  it('all start, and schemas, migrations and seed rows exist exactly once (3 rounds)', async () => {
    const once = await withFreshDatabase(async (url) => {
      await startReplica(url);
      return rowCounts(url);
    });
    for (const module of MODULES) expect(once[`drizzle.${module.dbSchema}_migrations`]).toBe(journalEntries(module));

    for (let round = 0; round < 3; round += 1) {
      await withFreshDatabase(async (url) => {
        const starts = await Promise.allSettled([startReplica(url), startReplica(url), startReplica(url)]);
        expect(starts.filter((start) => start.status === 'rejected')).toEqual([]);
        expect(await rowCounts(url)).toEqual(once);
      });
    }
  }, 300_000);
});
