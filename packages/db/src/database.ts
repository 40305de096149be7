import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { StatementCounter } from './statement-counter.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { DeadlineExceededError, currentDeadline, type Deadline } from './deadline.ts';

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
  /**
   * Runs `work` (migrations, seeding) while no other process does the same on this database:
   * replicas starting together on a fresh Postgres take turns instead of racing on CREATE SCHEMA.
   */
  withMigrationLock<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One key for every hub process: Postgres advisory locks are per database, as the migrations are. */
const MIGRATION_LOCK = "select pg_advisory_lock(hashtext('su-shaan-hub:migrations'))";
const MIGRATION_UNLOCK = "select pg_advisory_unlock(hashtext('su-shaan-hub:migrations'))";

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const statements = new StatementCounter();
  // drizzle calls its logger right before it sends each statement, on both drivers: the one
  // place where a statement can be refused before it starts. Refused statements are not counted.
  const logger = {
    logQuery(query: string) {
      refuseAfterDeadline(query);
      statements.logQuery(query);
    },
  };
  if (options.url) {
    const url = options.url;
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    cancelAtDeadline(pool, url);
    // An idle pooled connection can be closed by the server (restart, admin command); the pool
    // drops it and opens another when needed. Without a listener the event would crash the process.
    pool.on('error', (error) => {
      console.warn(`an idle database connection was closed: ${error.message}`);
    });
    // Fail at start-up, not on the first request, when the server cannot be reached.
    await pool.query('select 1');
    const db = drizzlePostgres(pool, { logger });
    trackCommits(db);
    return {
      db: db as unknown as Db,
      kind: 'postgres',
      statements,
      async migrate({ migrationsFolder, schema }) {
        await migratePostgres(db, { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `${schema}_migrations` });
      },
      async withMigrationLock(work) {
        // A connection of its own, outside the pool: the lock is the session's, and the pool's
        // connections are needed by the work itself.
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(MIGRATION_LOCK);
          try {
            return await work();
          } finally {
            await client.query(MIGRATION_UNLOCK);
          }
        } finally {
          await client.end();
        }
      },
      close: () => pool.end(),
    };
  }

  // The lock comes before PGlite touches the folder; it is released when the database closes.
  const lock = options.dataDir ? lockDataDir(options.dataDir) : undefined;
  let client: PGlite;
  try {
    client = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { logger });
  trackCommits(db);
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    statements,
    async migrate({ migrationsFolder, schema }) {
      await migratePglite(db, { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `${schema}_migrations` });
    },
    // One process holds the folder (the data-folder lock), so there is no one to take turns with.
    withMigrationLock: (work) => work(),
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Set inside `db.transaction`: a write there commits only when the transaction does. */
const insideTransaction = new AsyncLocalStorage<true>();

/** Statements that end or bound a transaction; refusing them would leave a connection mid-transaction. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release|end)\b/i;
const READ = /^\s*(select|show|explain)\b/i;

/**
 * Called by drizzle right before each statement is sent. After the request's deadline no
 * statement is started, so the transaction around it rolls back — unless the request has
 * already committed something: then its outcome is decided and the work runs to the end.
 */
function refuseAfterDeadline(query: string): void {
  const deadline = currentDeadline();
  if (!deadline || deadline.committed || TRANSACTION_CONTROL.test(query)) return;
  if (deadline.expired()) throw new DeadlineExceededError();
  // A write outside a transaction commits by itself, once it starts it may have committed.
  if (!insideTransaction.getStore() && !READ.test(query)) deadline.committed = true;
}

/** Marks the request's writes committed when a transaction it ran commits. */
function trackCommits(db: { transaction: (...args: never[]) => Promise<unknown> }): void {
  const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  (db as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = async (...args: unknown[]) => {
    const result = await insideTransaction.run(true, () => transaction(...args));
    const deadline = currentDeadline();
    if (deadline) deadline.committed = true;
    return result;
  };
}

/**
 * On a Postgres server a statement still running when its request's deadline passes is
 * cancelled (pg_cancel_backend from a separate connection); the transaction then rolls back.
 * drizzle sends statements outside a transaction through `pool.query` and inside one through
 * a client from `pool.connect`; both are wrapped here, for requests that have a deadline only.
 */
function cancelAtDeadline(pool: pg.Pool, url: string): void {
  const plainConnect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const plainQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const cancel = async (processId: number) => {
    const canceller = new pg.Client({ connectionString: url });
    try {
      await canceller.connect();
      await canceller.query('select pg_cancel_backend($1)', [processId]);
    } catch (error) {
      console.warn(`could not cancel a statement past its deadline: ${(error as Error).message}`);
    } finally {
      await canceller.end().catch(() => {});
    }
  };

  const guard = (client: pg.PoolClient, deadline: Deadline): pg.PoolClient => {
    const query = client.query;
    const ownQuery = Object.prototype.hasOwnProperty.call(client, 'query');
    const release = client.release;
    let cancelling: Promise<void> | undefined;
    client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text ?? '';
      if (typeof values === 'function' || typeof callback === 'function' || TRANSACTION_CONTROL.test(text) || deadline.committed) {
        return (query as (...args: unknown[]) => unknown).call(client, config, values, callback);
      }
      const stop = deadline.whenExpired(() => {
        if (!deadline.committed) cancelling = cancel((client as unknown as { processID: number }).processID);
      });
      return ((query as (...args: unknown[]) => Promise<unknown>).call(client, config, values) as Promise<unknown>).then(
        (result) => {
          stop();
          return result;
        },
        (error: unknown) => {
          stop();
          if ((error as { code?: string }).code === '57014' && deadline.expired()) throw new DeadlineExceededError(undefined, { cause: error });
          throw error;
        },
      );
    }) as typeof client.query;
    // Back to the pool only once a cancel in flight has landed, so it cannot hit the next user's statement.
    client.release = ((error?: Error | boolean) => {
      if (ownQuery) client.query = query;
      else delete (client as { query?: unknown }).query;
      client.release = release;
      if (cancelling) void cancelling.finally(() => release.call(client, error));
      else release.call(client, error);
    }) as typeof client.release;
    return client;
  };

  pool.connect = ((callback?: unknown) => {
    const deadline = currentDeadline();
    if (typeof callback === 'function' || !deadline) return (plainConnect as (...args: unknown[]) => unknown)(callback);
    return plainConnect().then((client) => guard(client, deadline));
  }) as typeof pool.connect;

  pool.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    const deadline = currentDeadline();
    if (!deadline || typeof values === 'function' || typeof callback === 'function') return plainQuery(config, values, callback);
    return plainConnect().then(async (client) => {
      const guarded = guard(client, deadline);
      let failure: Error | undefined;
      try {
        return await guarded.query(config as string, values as unknown[]);
      } catch (error) {
        failure = (error as { code?: string }).code === undefined ? (error as Error) : undefined;
        throw error;
      } finally {
        guarded.release(failure);
      }
    });
  }) as typeof pool.query;
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
