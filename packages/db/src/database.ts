import type { PGlite } from '@electric-sql/pglite';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { StatementCounter } from './statement-counter.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { cancelAtDeadline, noteWriteStatement, refuseAfterDeadline, trackCommits } from './deadline-guard.ts';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded-postgres.ts';
import { KeyVersions, READ_DATA_VERSIONS, tablesNamed, type DataVersionRow, type DataVersions } from './data-version.ts';
import { currentDeadline, currentFetchReads, currentRowsRead, noteRowsRead, noteTableRead } from './deadline.ts';
import { databaseLog } from './process-log.ts';

/** The drizzle handle every store takes; the same type for PGlite and a Postgres server. */
export type Db = PgDatabase<PgQueryResultHKT>;

/**
 * The tables each statement text names, per set of schemas: the stores send the same few
 * hundred texts again and again (their values go as parameters), and reading a text for table
 * names is a regular expression over all of it. At most `NAMED_KEPT` texts per set of schemas;
 * past that the set starts anew.
 */
const namedBy = new WeakMap<ReadonlySet<string>, Map<string, readonly string[]>>();
const NAMED_KEPT = 2_000;

function tablesNamedIn(query: string, schemas: ReadonlySet<string>): readonly string[] {
  let texts = namedBy.get(schemas);
  if (!texts) namedBy.set(schemas, (texts = new Map()));
  let named = texts.get(query);
  if (!named) {
    const found = new Set<string>();
    tablesNamed(query, schemas, found);
    named = [...found];
    if (texts.size >= NAMED_KEPT) texts.clear();
    texts.set(query, named);
  }
  return named;
}

/** Notes the tables a statement names in its request's reads and its fetch's, when they are kept. */
function noteTablesRead(query: string): void {
  // A scope's rows are those of its first statement (see runReadingRows).
  const scope = currentRowsRead();
  const rows = scope && !scope.sent ? scope : undefined;
  if (scope) scope.sent = true;
  const request = currentDeadline()?.reads;
  const fetches = currentFetchReads();
  for (const reads of request ? [request, ...fetches] : fetches) {
    for (const table of tablesNamedIn(query, reads.schemas)) {
      if (rows?.table === table) noteRowsRead(reads, table, rows.column, rows.keys);
      else noteTableRead(reads, table);
    }
  }
}

/** The database the hub runs itself when given no connection URL (decision 0028). */
export type EmbeddedEngine = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /** A Postgres connection URL. Without one the embedded database is used. */
  url?: string | undefined;
  /**
   * Folder the embedded database persists to. Without one (and without `url`) PGlite runs in
   * memory, whatever `embedded` says.
   */
  dataDir?: string | undefined;
  /** Which embedded database keeps `dataDir`: a Postgres server of the hub's own (the default), or PGlite in this process. */
  embedded?: EmbeddedEngine | undefined;
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
  /**
   * Resolves when the database answers a trivial statement, for readiness probes. It goes to
   * the driver directly: it is not one of a request's statements, so it is neither counted
   * nor bound by a request's deadline.
   */
  ping(): Promise<void>;
  /**
   * The versions of the database's tables (`installDataVersion`). Like `ping`, it goes to the
   * driver directly: it is the response cache's check, not one of an operation's statements.
   */
  readDataVersions(): Promise<DataVersions>;
  /** The tables versioned by key too (`installDataVersion`), and the keys written, as read with the versions. */
  readonly keyVersions: KeyVersions;
  /**
   * Calls `listener` with the time of each statement sent to a Postgres server (seconds, from
   * sending to its result), pings and version reads included; returns the call that stops it.
   * PGlite's statements are not timed.
   */
  onStatementTime(listener: (seconds: number) => void): () => void;
  /** The pool's connections on a Postgres server; null on PGlite (one connection, in this process). */
  poolUse(): PoolUse | null;
  close(): Promise<void>;
}

export interface PoolUse {
  total: number;
  idle: number;
  /** Statements waiting for a connection. */
  waiting: number;
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
      noteTablesRead(query);
      noteWriteStatement(query);
      statements.logQuery(query);
    },
  };
  if (options.url) return openPool(options.url, options.poolSize, statements, logger);
  if (options.dataDir && (options.embedded ?? 'postgres') === 'postgres') return openEmbeddedServer(options.dataDir, options.poolSize, statements, logger);
  return openPglite(options.dataDir, statements, logger);
}

/** The embedded server's cluster, inside the data folder (beside the folder's lock). */
export const EMBEDDED_CLUSTER = 'postgres';

type StatementLogger = { logQuery(query: string): void };

async function openEmbeddedServer(dataDir: string, poolSize: number | undefined, statements: StatementCounter, logger: StatementLogger): Promise<Database> {
  // The lock comes before the server touches the folder, and proves that a server found
  // running on it was left by a hub that is gone.
  const lock = lockDataDir(dataDir);
  try {
    const server = await startEmbeddedPostgres(join(dataDir, EMBEDDED_CLUSTER));
    const database = await openPool(server.url, poolSize, statements, logger).catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
    return {
      ...database,
      async close() {
        try {
          await database.close();
          await server.stop();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function openPool(url: string, poolSize: number | undefined, statements: StatementCounter, logger: StatementLogger): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize ?? 10 });
  const keyVersions = new KeyVersions();
  const timers = new Set<(seconds: number) => void>();
  pool.on('connect', (client) => timeStatements(client, timers));
  cancelAtDeadline(pool, url);
  // An idle pooled connection can be closed by the server (restart, admin command); the pool
  // drops it and opens another when needed. Without a listener the event would crash the process.
  pool.on('error', (error) => {
    // The pool hangs the connection itself on the error (`client`); logged whole, it would
    // print the connection's state, the texts of its prepared statements among it.
    const { name, message, code } = error as Error & { code?: string };
    databaseLog().warn({ err: { name, message, code } }, `an idle database connection was closed: ${message}`);
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
    async ping() {
      await pool.query('select 1');
    },
    keyVersions,
    async readDataVersions() {
      const { rows } = await pool.query<DataVersionRow>(READ_DATA_VERSIONS, [keyVersions.since()]);
      return keyVersions.take(rows);
    },
    onStatementTime(listener) {
      timers.add(listener);
      return () => timers.delete(listener);
    },
    poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

/**
 * Times each statement a pooled connection sends, when anyone listens, and traces it (a span per
 * statement, its SQL text without values, where tracing is on): `pool.query` calls the
 * connection's `query` with a callback, drizzle's transactions without one (a promise).
 */
function timeStatements(client: pg.PoolClient, timers: Set<(seconds: number) => void>): void {
  const query = client.query as (...args: unknown[]) => unknown;
  client.query = function timedQuery(this: pg.PoolClient, ...args: unknown[]) {
    const span = statementSpan(args[0]);
    if (timers.size === 0 && !span) return query.apply(this, args);
    const started = performance.now();
    const done = (error?: unknown) => {
      const seconds = (performance.now() - started) / 1000;
      for (const timer of timers) timer(seconds);
      if (span) {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...results: unknown[]) => {
        done(results[0]);
        return (callback as (...results: unknown[]) => unknown)(...results);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(() => done(), done);
    return result;
  } as typeof client.query;
}

/** The hub's tracer: the API's no-op until a tracer provider is registered, then that provider's. */
const tracer = trace.getTracer('su-shaan-hub');

/** A span for a statement, the child of what is current; none when tracing is off. */
function statementSpan(config: unknown): Span | undefined {
  const span = tracer.startSpan('sql', { kind: SpanKind.CLIENT });
  if (!span.isRecording()) return undefined;
  const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '');
  span.setAttributes({ 'db.system.name': 'postgresql', 'db.query.text': text.slice(0, 2_000) });
  return span;
}

async function openPglite(dataDir: string | undefined, statements: StatementCounter, logger: StatementLogger): Promise<Database> {
  if (dataDir && existsSync(join(dataDir, EMBEDDED_CLUSTER, 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(
      'EMBEDDED_DATABASE_MISMATCH',
      `The data folder ${dataDir} holds the embedded Postgres server's database (${EMBEDDED_CLUSTER}/); PGlite would start a new, empty one beside it. ` +
        'Start without EMBEDDED_DATABASE=pglite to use it, or set DATA_DIR to a new folder.',
    );
  }
  // Loaded only where PGlite is chosen: a start on the embedded server does without it.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  // The lock comes before PGlite touches the folder; it is released when the database closes.
  const lock = dataDir ? lockDataDir(dataDir) : undefined;
  let client: PGlite;
  try {
    client = dataDir ? new PGlite(dataDir) : new PGlite();
    await client.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { logger });
  trackCommits(db);
  const keyVersions = new KeyVersions();
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    statements,
    async migrate({ migrationsFolder, schema }) {
      await migratePglite(db, { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `${schema}_migrations` });
    },
    // One process holds the folder (the data-folder lock), so there is no one to take turns with.
    withMigrationLock: (work) => work(),
    async ping() {
      await client.query('select 1');
    },
    keyVersions,
    async readDataVersions() {
      const { rows } = await client.query<DataVersionRow>(READ_DATA_VERSIONS, [keyVersions.since()]);
      return keyVersions.take(rows);
    },
    onStatementTime: () => () => {},
    poolUse: () => null,
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
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
