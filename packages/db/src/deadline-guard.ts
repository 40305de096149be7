import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import {
  DeadlineExceededError,
  currentDeadline,
  currentTransactionWrites,
  currentWritesNoted,
  runMarkingWrites,
  type Deadline,
  type TablesWritten,
} from './deadline.ts';
import { databaseLog } from './process-log.ts';

/** Statements that end or bound a transaction; refusing them would leave a connection mid-transaction. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release|end)\b/i;
const READ = /^\s*(select|show|explain)\b/i;
const WITH = /^\s*with\b/i;
const WRITING = /\b(insert|update|delete|merge)\b/i;

/**
 * Whether a statement only reads: a SELECT, SHOW or EXPLAIN, or a WITH … SELECT that names no
 * INSERT, UPDATE, DELETE or MERGE anywhere (one of those words in a string or a name makes it a
 * write here, the safe side). A read taken for a write would mark its request committed, so
 * that its time limit no longer stopped it and none of its later reads was prepared.
 */
function isRead(query: string): boolean {
  return READ.test(query) || (WITH.test(query) && !WRITING.test(query));
}

/**
 * Called by drizzle right before each statement is sent. After the request's deadline no
 * statement is started, so the transaction around it rolls back — unless the request has
 * already committed something: then its outcome is decided and the work runs to the end.
 */
export function refuseAfterDeadline(query: string): void {
  const deadline = currentDeadline();
  if (!deadline || deadline.committed || TRANSACTION_CONTROL.test(query)) return;
  if (deadline.expired()) throw new DeadlineExceededError();
  if (isRead(query)) return;
  const transaction = currentTransactionWrites();
  if (transaction) transaction.wrote = true;
  // A write outside a transaction commits by itself: once it starts it may have committed.
  else deadline.committed = true;
}

/** Writes that no transaction's counts show: a TRUNCATE, or a change of a table's definition. */
const UNCOUNTED_WRITE = /^\s*(truncate|create|alter|drop)\b/i;

/**
 * Called by drizzle right before each statement is sent, where something notes the tables a
 * write writes (`runNotingWrites`). Within a transaction they are asked for before it commits
 * (`trackCommits`); a statement that writes by itself, outside one, or in a way no count shows,
 * leaves them unknown. A SELECT outside a transaction is taken to write nothing: the stores
 * write with INSERT, UPDATE and DELETE (and the triggers these fire), never from a SELECT.
 */
export function noteWriteStatement(query: string): void {
  const written = currentWritesNoted();
  if (!written || TRANSACTION_CONTROL.test(query)) return;
  if (currentTransactionWrites() ? UNCOUNTED_WRITE.test(query) : !isRead(query)) written.unknown = true;
}

/**
 * The tables the transaction running has written rows of, by its own statements and by the
 * triggers they fired, as the server counts them. Postgres 15 and later may also name tables
 * that earlier transactions on the same connection wrote (it folds a connection's counts into
 * the server's now and then): more tables, never fewer.
 */
const WRITTEN_TABLES = sql.raw(
  `select schemaname || '.' || relname as "table" from pg_stat_xact_user_tables where n_tup_ins + n_tup_upd + n_tup_del > 0`,
);

type Transaction = { execute(query: SQL): Promise<unknown> };

/** Runs a transaction's work, then notes in `written` the tables the transaction wrote, before it commits. */
function notingWritten(work: (tx: Transaction) => Promise<unknown>, written: TablesWritten) {
  return async (tx: Transaction) => {
    const result = await work(tx);
    const { rows } = (await tx.execute(WRITTEN_TABLES)) as { rows: { table: string }[] };
    for (const { table } of rows) written.tables.add(table);
    return result;
  };
}

/**
 * Marks the request's writes committed when a transaction that wrote commits. A transaction
 * that only read decides nothing, so the deadline keeps holding after it. Where the tables a
 * write writes are noted, each transaction tells them before it commits.
 */
export function trackCommits(db: { transaction: (...args: never[]) => Promise<unknown> }): void {
  const transaction = db.transaction.bind(db) as (...args: unknown[]) => Promise<unknown>;
  (db as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = async (...args: unknown[]) => {
    const written = currentWritesNoted();
    const [work, ...rest] = args;
    if (written && typeof work === 'function') args = [notingWritten(work as (tx: Transaction) => Promise<unknown>, written), ...rest];
    const writes = { wrote: false };
    // A write inside commits only when the transaction does: it is marked in `writes`, and the
    // request counts as committed once the transaction has committed.
    const result = await runMarkingWrites(writes, () => transaction(...args));
    const deadline = currentDeadline();
    if (deadline && writes.wrote) deadline.committed = true;
    return result;
  };
}

/**
 * A name for each statement text a request reads with, process-wide: a connection of the pool
 * prepares a text the first time it runs it and from then on runs it by name, so the server
 * parses and plans it once per connection instead of at every statement. The stores send the
 * same few hundred texts again and again, their values as parameters; a lookup of one project
 * is a handful of statements that cost the server more to plan than to run. At most
 * `NAMED_TEXTS` texts are named (each connection keeps a plan of each); a text beyond them runs
 * unnamed, as every statement did before.
 */
const statementNames = new Map<string, string>();
const NAMED_TEXTS = 1_000;

function preparedRead(config: unknown, text: string): unknown {
  if (!isRead(text)) return config;
  let name = statementNames.get(text);
  if (!name) {
    if (statementNames.size >= NAMED_TEXTS) return config;
    statementNames.set(text, (name = `hub_read_${statementNames.size + 1}`));
  }
  return typeof config === 'string' ? { text, name } : { ...(config as object), name };
}

/**
 * On a Postgres server a statement still running when its request's deadline passes is
 * cancelled (pg_cancel_backend from a separate connection); the transaction then rolls back.
 * drizzle sends statements outside a transaction through `pool.query` and inside one through
 * a client from `pool.connect`; both are wrapped here, for requests that have a deadline only.
 */
export function cancelAtDeadline(pool: pg.Pool, url: string): void {
  const plainConnect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const plainQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const cancel = async (processId: number) => {
    const canceller = new pg.Client({ connectionString: url });
    try {
      await canceller.connect();
      await canceller.query('select pg_cancel_backend($1)', [processId]);
    } catch (error) {
      databaseLog().warn({ err: error }, `could not cancel a statement past its deadline: ${(error as Error).message}`);
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
      return ((query as (...args: unknown[]) => Promise<unknown>).call(client, preparedRead(config, text), values) as Promise<unknown>).then(
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
