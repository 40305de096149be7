import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';

/**
 * The version of what a database holds: a number every transaction that writes a row of the
 * subgraphs' tables raises by one, in the same commit, so that the new version becomes
 * visible exactly when the new rows do. Whatever writes — a subgraph, another hub on the same
 * server, an operator's SQL — the version says so; a response cached at one version is current
 * while the version is the same (docs/decisions/0029-response-cache.md).
 *
 * The bump is a deferred constraint trigger: it runs at commit, after every row lock of the
 * transaction is taken, so waiting for the version's row never closes a cycle of waits.
 */
export const DATA_VERSION_SCHEMA = 'hub_cache';

const TRIGGER = 'hub_cache_data_version';

/** One statement each: the extended protocol (PGlite's, and prepared statements) takes no more. */
const INSTALL = [
  `create schema if not exists ${DATA_VERSION_SCHEMA}`,
  `create table if not exists ${DATA_VERSION_SCHEMA}.data_version (
  only_row boolean primary key default true check (only_row),
  version bigint not null
)`,
  `insert into ${DATA_VERSION_SCHEMA}.data_version (only_row, version) values (true, 0) on conflict do nothing`,
  `create or replace function ${DATA_VERSION_SCHEMA}.bump_data_version() returns trigger language plpgsql as $$
begin
  -- The trigger fires for every row a transaction wrote; the version goes up once.
  if current_setting('hub_cache.bumped_in', true) is distinct from txid_current()::text then
    perform set_config('hub_cache.bumped_in', txid_current()::text, true);
    update ${DATA_VERSION_SCHEMA}.data_version set version = version + 1;
  end if;
  return null;
end
$$`,
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

/** Creates the version and its triggers on the subgraphs' tables; run after their migrations. */
export async function installDataVersion(database: Database, schemas: readonly string[]): Promise<void> {
  await database.withMigrationLock(async () => {
    for (const statement of INSTALL) await database.db.execute(sql.raw(statement));
    await database.db.execute(sql.raw(triggersFor(schemas)));
  });
}

/** The statement that reads the version; sent past the statement counter (see `Database.readDataVersion`). */
export const READ_DATA_VERSION = `select version::text as version from ${DATA_VERSION_SCHEMA}.data_version`;
