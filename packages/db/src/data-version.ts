import { sql } from 'drizzle-orm';
import { getTableConfig, type PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './database.ts';
import { runReadingRows } from './deadline.ts';

/**
 * The version of each table of the subgraphs' schemas: a number every transaction that writes a
 * row of the table raises by one, in the same commit, so that the new version becomes visible
 * exactly when the new rows do. Whatever writes — a subgraph, another hub on the same server,
 * an operator's SQL — the versions say so; a response cached with the versions of the tables
 * it read is current while those versions are the same (docs/decisions/0029-response-cache.md).
 *
 * The bump is a deferred constraint trigger: it runs at commit, after every row lock of the
 * transaction is taken. A transaction that wrote two tables raises two versions, so committing
 * writers first take one transaction-scoped lock, all in the same order: waiting for a
 * version's row never closes a cycle of waits.
 *
 * Some tables are also versioned by a key column (a project's books, by `project_id`): the
 * trigger notes, for each key a transaction wrote, the table's version that transaction raised
 * it to (`key_changes`, the latest only). A reader that read such a table only by key (the
 * totals of the 50 projects of a page) is current while none of its keys was written since,
 * whatever was written to the table's other keys (docs/decisions/0042-keyed-versions.md).
 */
export const DATA_VERSION_SCHEMA = 'hub_cache';

const TRIGGER = 'hub_cache_data_version';
const BUMP = 'bump_versions';

/** One statement each: the extended protocol (PGlite's, and prepared statements) takes no more. */
const INSTALL = [
  `create schema if not exists ${DATA_VERSION_SCHEMA}`,
  `create table if not exists ${DATA_VERSION_SCHEMA}.table_versions (
  table_name text primary key,
  version bigint not null
)`,
  `create table if not exists ${DATA_VERSION_SCHEMA}.key_changes (
  table_name text not null,
  key text not null,
  version bigint not null,
  primary key (table_name, key)
)`,
  `create index if not exists key_changes_version_idx on ${DATA_VERSION_SCHEMA}.key_changes (table_name, version)`,
  // A name of its own for the function that notes keys: an earlier release, started against the
  // same database, replaces its own function (bump_data_version) and leaves this one as it is.
  `create or replace function ${DATA_VERSION_SCHEMA}.${BUMP}() returns trigger language plpgsql as $$
declare
  raised bigint;
  written text;
begin
  -- The trigger fires for every row a transaction wrote; each table's version goes up once.
  if current_setting('hub_cache.t' || TG_RELID, true) is distinct from txid_current()::text then
    if current_setting('hub_cache.bumped_in', true) is distinct from txid_current()::text then
      perform set_config('hub_cache.bumped_in', txid_current()::text, true);
      perform pg_advisory_xact_lock(hashtext('hub_cache.table_versions'));
    end if;
    perform set_config('hub_cache.t' || TG_RELID, txid_current()::text, true);
    insert into ${DATA_VERSION_SCHEMA}.table_versions as kept (table_name, version)
      values (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, 1)
      on conflict (table_name) do update set version = kept.version + 1
      returning version into raised;
    perform set_config('hub_cache.v' || TG_RELID, raised::text, true);
  end if;
  -- A table versioned by a key column (the trigger's argument): each key written, old and new.
  if TG_NARGS > 0 then
    raised := current_setting('hub_cache.v' || TG_RELID)::bigint;
    foreach written in array array_remove(array[
      case when TG_OP <> 'INSERT' then to_jsonb(OLD) ->> TG_ARGV[0] end,
      case when TG_OP <> 'DELETE' then to_jsonb(NEW) ->> TG_ARGV[0] end
    ], null) loop
      insert into ${DATA_VERSION_SCHEMA}.key_changes as kept (table_name, key, version)
        values (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, written, raised)
        on conflict (table_name, key) do update set version = excluded.version where kept.version < excluded.version;
    end loop;
  end if;
  return null;
end
$$`,
  // The single version of earlier releases, which every write raised.
  `drop table if exists ${DATA_VERSION_SCHEMA}.data_version`,
];

/**
 * Puts the trigger on every table of `schemas`, with the key column `keyed` names for the table
 * as its argument, where it lacks it, has another, or calls an earlier release's function (new
 * tables after a migration too; a table keyed since the trigger was put on it).
 */
function triggersFor(schemas: readonly string[], keyed: KeyedTables): string {
  const names = schemas.map(literal).join(', ');
  const keys = Object.entries(keyed).map(([table, column]) => `(${literal(table)}, ${literal(column)})`);
  return `do $$
declare
  found record;
  raised bigint;
begin
  for found in
    select tables.oid, schemas.nspname || '.' || tables.relname as table_name, wanted.key_column, trigger.args, trigger.current
    from pg_class tables join pg_namespace schemas on schemas.oid = tables.relnamespace
    left join lateral (
      select encode(tgargs, 'escape') as args, tgfoid = '${DATA_VERSION_SCHEMA}.${BUMP}'::regproc as current
      from pg_trigger where tgrelid = tables.oid and tgname = '${TRIGGER}'
    ) as trigger on true
    left join (values ${keys.length > 0 ? keys.join(', ') : '(null, null)'}) as wanted (table_name, key_column)
      on wanted.table_name = schemas.nspname || '.' || tables.relname
    where schemas.nspname in (${names}) and tables.relkind in ('r', 'p')
  loop
    if found.current and found.args is not distinct from coalesce(found.key_column || '\\000', '') then continue; end if;
    if found.args is not null then
      execute format('drop trigger ${TRIGGER} on %s', found.oid::regclass);
    end if;
    execute format(
      'create constraint trigger ${TRIGGER} after insert or update or delete on %s deferrable initially deferred for each row execute function ${DATA_VERSION_SCHEMA}.${BUMP}(%s)',
      found.oid::regclass, coalesce(quote_literal(found.key_column), '')
    );
    -- Rows written before the key was noted have no change of their key: the table changed as a
    -- whole (the empty key), and whatever was kept of it is old.
    if found.key_column is not null then
      insert into ${DATA_VERSION_SCHEMA}.table_versions as kept (table_name, version)
        values (found.table_name, 1)
        on conflict (table_name) do update set version = kept.version + 1
        returning version into raised;
      insert into ${DATA_VERSION_SCHEMA}.key_changes as kept (table_name, key, version)
        values (found.table_name, '', raised)
        on conflict (table_name, key) do update set version = excluded.version;
    end if;
  end loop;
end
$$`;
}

/** `text` as an SQL string literal. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The tables versioned by a key column too, by qualified name: `{ 'jiangsu.funding_entry': 'project_id' }`. */
export type KeyedTables = Readonly<Record<string, string>>;

/**
 * Creates the versions and their triggers on the subgraphs' tables; run after their migrations.
 * The tables of `keyed` are versioned by their key column too.
 */
export async function installDataVersion(database: Database, schemas: readonly string[], keyed: KeyedTables = {}): Promise<void> {
  await database.withMigrationLock(async () => {
    for (const statement of INSTALL) await database.db.execute(sql.raw(statement));
    await database.db.execute(sql.raw(triggersFor(schemas, keyed)));
  });
  database.keyVersions.add(keyed);
}

/** The tables of `columns` versioned by key too, each by its column: `{ 'jiangsu.funding_entry': 'project_id' }`. */
export function keyedTables(columns: readonly PgColumn[]): KeyedTables {
  return Object.fromEntries(columns.map((column) => [qualifiedName(column), column.name]));
}

/**
 * Runs `work`, whose statements read of `column`'s table only the rows whose `column` is one of
 * `keys` (`runReadingRows`): where the table is versioned by that column, what is kept of them
 * stays current through writes to other keys.
 */
export function readingRowsBy<T>(column: PgColumn, keys: readonly string[], work: () => PromiseLike<T>): Promise<T> {
  // Postgres writes a UUID in lower case, which is how the trigger notes it.
  const noted = column.columnType === 'PgUUID' ? keys.map((key) => key.toLowerCase()) : keys;
  // Awaited within: a query builder sends its statement when it is awaited, not when it is made.
  return runReadingRows({ table: qualifiedName(column), column: column.name, keys: noted }, async () => await work());
}

function qualifiedName(column: PgColumn): string {
  const { schema, name } = getTableConfig(column.table);
  return `${schema ?? 'public'}.${name}`;
}

/**
 * The statement that reads the versions, and the keys written since those the reader has ($1:
 * each keyed table's version it has every written key up to, as JSON), in one snapshot; sent
 * past the statement counter (see `Database.readDataVersions`). A table never written since the
 * versions were installed has no row: its version is 0.
 */
export const READ_DATA_VERSIONS = `select table_name, version::text as version, null::text as key from ${DATA_VERSION_SCHEMA}.table_versions
union all
select changes.table_name, changes.version::text, changes.key
from jsonb_each_text($1::jsonb) as since (table_name, version)
join ${DATA_VERSION_SCHEMA}.key_changes changes on changes.table_name = since.table_name and changes.version > since.version::bigint`;

/** A row of `READ_DATA_VERSIONS`: a table's version, or (with `key`) the version a key of it was last written at. */
export interface DataVersionRow {
  table_name: string;
  version: string;
  key: string | null;
}

/**
 * One database's keyed tables (`installDataVersion`) and, for each, the version each key was
 * last written at, as far as this process has read: the keys written since are read with the
 * versions, so it holds every key written up to the newest versions read.
 */
export class KeyVersions {
  private readonly columns = new Map<string, string>();
  private readonly written = new Map<string, Map<string, number>>();
  /** Per keyed table, the version up to which every written key is in `written`. */
  private readonly complete = new Map<string, number>();

  /** Versions the tables of `keyed` by key from now on (their triggers note the keys). */
  add(keyed: KeyedTables): void {
    for (const [table, column] of Object.entries(keyed)) {
      if (this.columns.get(table) === column) continue;
      this.columns.set(table, column);
      this.written.set(table, new Map());
      this.complete.set(table, 0);
    }
  }

  /** The parameter of `READ_DATA_VERSIONS`. */
  since(): string {
    return JSON.stringify(Object.fromEntries(this.complete));
  }

  /** The versions `READ_DATA_VERSIONS` read, the keys among them noted here. */
  take(rows: readonly DataVersionRow[]): DataVersions {
    const versions = new Map<string, string>();
    for (const row of rows) {
      if (row.key === null) {
        versions.set(row.table_name, row.version);
        continue;
      }
      const written = this.written.get(row.table_name);
      if (written && (written.get(row.key) ?? 0) < Number(row.version)) written.set(row.key, Number(row.version));
    }
    for (const [table, upTo] of this.complete) this.complete.set(table, Math.max(upTo, Number(versions.get(table) ?? 0)));
    return new DataVersions(versions, this);
  }

  /**
   * Whether a row of `table` whose `column` is one of `keys` may have been written after the
   * table stood at `version`. Always so for a table not versioned by `column`. A key written
   * later than the versions a request read counts as written: a miss, never a stale answer.
   */
  writtenAfter(table: string, column: string, version: string, keys: Iterable<string>): boolean {
    const written = this.written.get(table);
    if (!written || this.columns.get(table) !== column) return true;
    const since = Number(version);
    // The empty key: the table changed as a whole (keyed since rows were written without keys).
    if ((written.get('') ?? 0) > since) return true;
    for (const key of keys) if ((written.get(key) ?? 0) > since) return true;
    return false;
  }
}

/** Each table's version by its qualified name (`jiangsu.funding_entry`), and what was written by key. */
export class DataVersions {
  constructor(
    private readonly versions: ReadonlyMap<string, string>,
    private readonly keys: KeyVersions | undefined,
    private readonly keysOf: ReadonlyMap<string, KeyVersions> = new Map(),
  ) {}

  /** The versions of several databases, whose tables never share a name (each subgraph has its schema). */
  static of(all: readonly DataVersions[]): DataVersions {
    const versions = new Map<string, string>();
    const keysOf = new Map<string, KeyVersions>();
    for (const each of all) {
      for (const [table, version] of each.versions) {
        versions.set(table, version);
        if (each.keys) keysOf.set(table, each.keys);
      }
      for (const [table, keys] of each.keysOf) keysOf.set(table, keys);
    }
    return new DataVersions(versions, undefined, keysOf);
  }

  /** The table's version; a table never written is at 0. */
  get(table: string): string {
    return this.versions.get(table) ?? '0';
  }

  /** Whether a table read at `version` by `column`, the rows of `keys`, is still as it was read. */
  rowsCurrent(table: string, version: string, column: string, keys: Iterable<string>): boolean {
    if (this.get(table) === version) return true;
    const versionedBy = this.keys ?? this.keysOf.get(table);
    return versionedBy !== undefined && !versionedBy.writtenAfter(table, column, version, keys);
  }
}

/**
 * The tables a statement names, schema-qualified, among `schemas`: as drizzle writes them
 * (`"jiangsu"."funding_entries"`) and as hand-written SQL does (`pairing.ceremony_project`). A
 * column reference (`"funding_entries"."id"`, `cp.project_id`) does not start with a schema's
 * name, so it is not taken for a table; an alias named like a schema would only add a table
 * that is not read, which costs a kept answer, never a stale one.
 */
export function tablesNamed(statement: string, schemas: ReadonlySet<string>, into: Set<string>): void {
  for (const match of statement.matchAll(QUALIFIED_NAME)) {
    const schema = match[1] ?? match[2]!.toLowerCase();
    if (schemas.has(schema)) into.add(`${schema}.${match[3] ?? match[4]!.toLowerCase()}`);
  }
}

/** `schema.table`, each part quoted or not (an unquoted name is folded to lower case, as Postgres does). */
const QUALIFIED_NAME = /(?:"([^"]+)"|\b([A-Za-z_][A-Za-z0-9_$]*))\s*\.\s*(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_$]*))/g;
