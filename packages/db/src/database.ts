import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { StatementCounter } from './statement-counter.ts';

/** The drizzle handle every store takes; the same type for PGlite and a Postgres server. */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface DatabaseOptions {
  /** A Postgres connection URL. Without one the embedded PGlite database is used. */
  url?: string | undefined;
  /** Folder PGlite persists to. Without one (and without `url`) PGlite runs in memory. */
  dataDir?: string | undefined;
  /** Largest number of pooled connections to a Postgres server. */
  poolSize?: number | undefined;
}

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Statements sent through `db` since the database was opened. */
  readonly statements: StatementCounter;
  /** Applies a subgraph's committed drizzle-kit migrations, tracked in drizzle.<schema>_migrations. */
  migrate(options: { migrationsFolder: string; schema: string }): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const statements = new StatementCounter();
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle pooled connection can be closed by the server (restart, admin command); the pool
    // drops it and opens another when needed. Without a listener the event would crash the process.
    pool.on('error', (error) => {
      console.warn(`an idle database connection was closed: ${error.message}`);
    });
    // Fail at start-up, not on the first request, when the server cannot be reached.
    await pool.query('select 1');
    const db = drizzlePostgres(pool, { logger: statements });
    return {
      db: db as unknown as Db,
      kind: 'postgres',
      statements,
      async migrate({ migrationsFolder, schema }) {
        await migratePostgres(db, { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `${schema}_migrations` });
      },
      close: () => pool.end(),
    };
  }

  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { logger: statements });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    statements,
    async migrate({ migrationsFolder, schema }) {
      await migratePglite(db, { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `${schema}_migrations` });
    },
    close: () => client.close(),
  };
}

/** Runs a raw SQL query and returns its rows; both drivers answer with `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A Postgres array from raw SQL: PGlite returns an array, `pg` may return its text form. */
export function textArray<T extends string>(value: T[] | string): T[] {
  if (Array.isArray(value)) return value;
  return value.replace(/^\{|\}$/g, '').split(',').filter(Boolean) as T[];
}
