import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Db } from './database.ts';
import { inTextList, inUuidList } from './project-sets.ts';

/** What drizzle's query builders give `prepare`: a statement built once, run with its values. */
export interface Prepared<Result> {
  execute(values?: Record<string, unknown>): Promise<Result>;
}

export interface Preparable<Result> {
  prepare(name: string): Prepared<Result>;
}

/** The reads built for each database (or transaction), by name. */
const preparedBy = new WeakMap<Db, Map<string, Prepared<unknown>>>();

/**
 * The name each read's statement is prepared under on a Postgres server outside a request
 * (0044 names a request's reads by their text): one per read, and short, since Postgres keeps
 * only the first 63 bytes of a name, and two reads whose names began alike would be taken for
 * one statement there, the second refused as already existing.
 */
const statementNames = new Map<string, string>();

function statementName(name: string): string {
  let statement = statementNames.get(name);
  if (!statement) statementNames.set(name, (statement = `hub_built_${statementNames.size + 1}`));
  return statement;
}

/**
 * A read whose SQL drizzle builds once per database, not at every call: the stores' hot reads
 * (a project's need, its stage, its books) run at every request, and building their SQL from
 * the query builder cost more of the serving thread than anything else the hub does for them.
 * Its values are placeholders (`sql.placeholder`), given to `execute`. `name` is the read's and
 * must be given to one shape of statement only: it names every choice the statement is built
 * from (a reader that sees drafts, the kinds asked for). A transaction gets reads built on it,
 * so they run in it. The statement goes through the same driver and logger as any other: counted,
 * refused after its request's deadline, noted for the caches.
 */
export function prepared<Result>(db: Db, name: string, build: (db: Db) => Preparable<Result>): Prepared<Result> {
  let reads = preparedBy.get(db);
  if (!reads) preparedBy.set(db, (reads = new Map()));
  let read = reads.get(name) as Prepared<Result> | undefined;
  if (!read) reads.set(name, (read = build(db).prepare(statementName(name))));
  return read;
}

/** `column = any(ids)` for a prepared read: the ids as one parameter, their `uuidList`, named `placeholder`. */
export function amongUuidsAt(column: SQL | AnyColumn, placeholder: string): SQL {
  return inUuidList(column, sql.placeholder(placeholder));
}

/**
 * `column = any(keys)` for a prepared read: the keys as one array parameter, `keyList` of them,
 * named `placeholder`, as `amongTexts` binds its keys: through a subquery, so that the plan is
 * made once for every value (see `uuidArray`), and Postgres plans `= any(array)` as a lookup in
 * the column's index.
 */
export function amongTextsAt(column: SQL | AnyColumn, placeholder: string): SQL {
  return inTextList(column, sql.placeholder(placeholder));
}

/** The value of an `amongTextsAt` placeholder: keys already checked to be storable. */
export function keyList(keys: readonly string[]): string[] {
  return [...keys];
}
