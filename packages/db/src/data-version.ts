import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';

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
 */
export const DATA_VERSION_SCHEMA = 'hub_cache';

const TRIGGER = 'hub_cache_data_version';

/** One statement each: the extended protocol (PGlite's, and prepared statements) takes no more. */
const INSTALL = [
  `create schema if not exists ${DATA_VERSION_SCHEMA}`,
  `create table if not exists ${DATA_VERSION_SCHEMA}.table_versions (
  table_name text primary key,
  version bigint not null
)`,
  `create or replace function ${DATA_VERSION_SCHEMA}.bump_data_version() returns trigger language plpgsql as $$
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
      on conflict (table_name) do update set version = kept.version + 1;
  end if;
  return null;
end
$$`,
  // The single version of earlier releases, which every write raised.
  `drop table if exists ${DATA_VERSION_SCHEMA}.data_version`,
];

/** Puts the trigger on every table of `schemas` that lacks it (new tables after a migration too). */
function triggersFor(schemas: readonly string[]): string {
  const names = schemas.map((schema) => `'${schema.replaceAll("'", "''")}'`).join(', ');
  return `do $$
declare
  found record;
begin
  for found in
    select tables.oid from pg_class tables join pg_namespace schemas on schemas.oid = tables.relnamespace
    where schemas.nspname in (${names}) and tables.relkind in ('r', 'p')
      and not exists (select 1 from pg_trigger where tgrelid = tables.oid and tgname = '${TRIGGER}')
  loop
    execute format(
      'create constraint trigger ${TRIGGER} after insert or update or delete on %s deferrable initially deferred for each row execute function ${DATA_VERSION_SCHEMA}.bump_data_version()',
      found.oid::regclass
    );
  end loop;
end
$$`;
}

/** Creates the versions and their triggers on the subgraphs' tables; run after their migrations. */
export async function installDataVersion(database: Database, schemas: readonly string[]): Promise<void> {
  await database.withMigrationLock(async () => {
    for (const statement of INSTALL) await database.db.execute(sql.raw(statement));
    await database.db.execute(sql.raw(triggersFor(schemas)));
  });
}

/**
 * The statement that reads the versions; sent past the statement counter (see
 * `Database.readDataVersions`). A table never written since the versions were installed has no
 * row: its version is 0.
 */
export const READ_DATA_VERSIONS = `select table_name, version::text as version from ${DATA_VERSION_SCHEMA}.table_versions`;

/** Each table's version by its qualified name (`jiangsu.funding_entries`); a table not named is at 0. */
export type DataVersions = ReadonlyMap<string, string>;

export function dataVersionsOf(rows: readonly { table_name: string; version: string }[]): DataVersions {
  return new Map(rows.map((row) => [row.table_name, row.version]));
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
