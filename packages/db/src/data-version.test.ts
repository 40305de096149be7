import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import { bigint, pgSchema, serial, text, uuid } from 'drizzle-orm/pg-core';
import { installDataVersion, readingRowsBy, type DataVersions } from './data-version.ts';
import { queryRows, type Database } from './database.ts';
import { Deadline, noReads, runNotingReads, runWithDeadline } from './deadline.ts';
import { amongUuids } from './project-sets.ts';

/**
 * A table versioned by a key column as well as whole (docs/decisions/0042-keyed-versions.md):
 * rows read by key, at the versions read before them, are current while none of their keys was
 * written since, whatever was written to the table's other keys.
 */

const BOOKS = 'keyed_versions.books';
const A = '0b7c7a5e-35d4-4a3c-9a51-3f1c1c4a0a01';
const B = '0b7c7a5e-35d4-4a3c-9a51-3f1c1c4a0a02';
const C = '0b7c7a5e-35d4-4a3c-9a51-3f1c1c4a0a03';

const schema = pgSchema('keyed_versions');
const books = schema.table('books', {
  id: serial('id').primaryKey(),
  projectId: uuid('project_id').notNull(),
  organization: text('organization').notNull(),
  fen: bigint('fen', { mode: 'bigint' }).notNull(),
});

describe('versions by key', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`drop schema if exists keyed_versions cascade`);
    await database.db.execute(sql`create schema keyed_versions`);
    await database.db.execute(sql`create table keyed_versions.books (id serial primary key, project_id uuid not null, organization text not null, fen bigint not null)`);
    await database.db.execute(sql`create table keyed_versions.places (code text primary key)`);
    await installDataVersion(database, ['keyed_versions'], { [BOOKS]: 'project_id' });
  });
  afterAll(async () => {
    await database?.db.execute(sql`drop schema if exists keyed_versions cascade`);
    await database?.close();
  });

  /** Whether rows of `keys` read (by project) at `then` are still as they were at `now`. */
  const current = (then: DataVersions, now: DataVersions, keys: string[], column = 'project_id') => now.rowsCurrent(BOOKS, then.get(BOOKS), column, keys);

  it('keeps the rows of other keys current through a write, and not those of the key written', async () => {
    const before = await database.readDataVersions();
    await database.db.execute(sql`insert into keyed_versions.books (project_id, organization, fen) values (${A}, 'taihu', 100)`);
    const after = await database.readDataVersions();

    expect(after.get(BOOKS), 'the table as a whole was written').not.toBe(before.get(BOOKS));
    expect(current(before, after, [B, C])).toBe(true);
    expect(current(before, after, [B, A])).toBe(false);
  });

  it('counts a row moved to another key for both keys, and a row deleted for its key', async () => {
    await database.db.execute(sql`insert into keyed_versions.books (project_id, organization, fen) values (${B}, 'suzhou', 5)`);
    const before = await database.readDataVersions();
    await database.db.execute(sql`update keyed_versions.books set project_id = ${C} where project_id = ${B}`);
    const moved = await database.readDataVersions();
    expect(current(before, moved, [B])).toBe(false);
    expect(current(before, moved, [C])).toBe(false);
    expect(current(before, moved, [A])).toBe(true);

    await database.db.execute(sql`delete from keyed_versions.books where project_id = ${C}`);
    const deleted = await database.readDataVersions();
    expect(current(moved, deleted, [C])).toBe(false);
    expect(current(moved, deleted, [B, A])).toBe(true);
  });

  it('notes every key of a transaction, and each key once at the version it raised the table to', async () => {
    const before = await database.readDataVersions();
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into keyed_versions.books (project_id, organization, fen) values (${B}, 'wuxi', 1), (${B}, 'wuxi', 2), (${C}, 'wuxi', 3)`);
    });
    const after = await database.readDataVersions();
    expect(Number(after.get(BOOKS)) - Number(before.get(BOOKS)), 'one version for the transaction').toBe(1);
    expect(current(before, after, [B])).toBe(false);
    expect(current(before, after, [C])).toBe(false);
    expect(current(before, after, [A])).toBe(true);
    const noted = await queryRows<{ key: string; version: string }>(
      database.db,
      sql`select key, version::text as version from hub_cache.key_changes where table_name = ${BOOKS} and key in (${B}, ${C}) order by key`,
    );
    expect(noted).toEqual([
      { key: B, version: after.get(BOOKS) },
      { key: C, version: after.get(BOOKS) },
    ]);
  });

  it('compares rows read by another column, or of a table not versioned by key, as the whole table', async () => {
    const before = await database.readDataVersions();
    await database.db.execute(sql`insert into keyed_versions.books (project_id, organization, fen) values (${A}, 'taihu', 1)`);
    await database.db.execute(sql`insert into keyed_versions.places (code) values ('611025')`);
    const after = await database.readDataVersions();
    expect(current(before, after, ['nanjing'], 'organization')).toBe(false);
    expect(after.rowsCurrent('keyed_versions.places', before.get('keyed_versions.places'), 'code', ['610000'])).toBe(false);
    // Unchanged, whatever the column.
    expect(after.rowsCurrent(BOOKS, after.get(BOOKS), 'organization', ['nanjing'])).toBe(true);
  });

  it('notes the rows a statement reads by key, in the request and the fetch, and the other tables it names as read whole', async () => {
    const deadline = Deadline.after(10_000);
    const request = noReads(new Set(['keyed_versions']));
    const fetch = noReads(new Set(['keyed_versions']));
    deadline.reads = request;
    await runWithDeadline(deadline, () =>
      runNotingReads(fetch, async () => {
        await readingRowsBy(books.projectId, [A.toUpperCase(), B], () => database.db.select().from(books).where(amongUuids(books.projectId, [A, B])));
        await readingRowsBy(books.projectId, [C], () =>
          database.db.execute(sql`select b.fen from keyed_versions.books b join keyed_versions.places p on p.code = b.organization where b.project_id = ${C}`),
        );
      }),
    );
    for (const reads of [request, fetch]) {
      expect([...reads.tables]).toEqual(['keyed_versions.places']);
      expect([...reads.rows.keys()]).toEqual([BOOKS]);
      expect(reads.rows.get(BOOKS)!.column).toBe('project_id');
      expect([...reads.rows.get(BOOKS)!.keys].sort()).toEqual([A, B, C]);
    }

    // The same table read whole afterwards: read whole.
    await runWithDeadline(deadline, () => runNotingReads(fetch, async () => await database.db.select().from(books)));
    expect(request.rows.size).toBe(0);
    expect([...request.tables].sort()).toEqual([BOOKS, 'keyed_versions.places']);
  });

  it('notes by key the first statement of a scope only: a later one reads the table whole', async () => {
    const deadline = Deadline.after(10_000);
    const request = noReads(new Set(['keyed_versions']));
    deadline.reads = request;
    await runWithDeadline(deadline, () =>
      readingRowsBy(books.projectId, [A], async () => {
        await database.db.select().from(books).where(amongUuids(books.projectId, [A]));
        // A batch another load began within the scope, say: not by these keys.
        return database.db.select().from(books);
      }),
    );
    expect([...request.tables]).toEqual([BOOKS]);
    expect(request.rows.size).toBe(0);
  });

  it("replaces a trigger an earlier release's function runs, and counts what was written through it as written", async () => {
    // An earlier release's function, given the key column as this release's is: it raises the
    // version and notes no key.
    await database.db.execute(sql`create or replace function keyed_versions.earlier_bump() returns trigger language plpgsql as $$
      begin
        insert into hub_cache.table_versions as kept (table_name, version) values (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, 1)
          on conflict (table_name) do update set version = kept.version + 1;
        return null;
      end $$`);
    await database.db.execute(sql`drop trigger hub_cache_data_version on keyed_versions.books`);
    await database.db.execute(sql`create constraint trigger hub_cache_data_version after insert or update or delete on keyed_versions.books
      deferrable initially deferred for each row execute function keyed_versions.earlier_bump('project_id')`);
    const before = await database.readDataVersions();
    await database.db.execute(sql`insert into keyed_versions.books (project_id, organization, fen) values (${C}, 'taihu', 7)`);

    await installDataVersion(database, ['keyed_versions'], { [BOOKS]: 'project_id' });
    const after = await database.readDataVersions();
    expect(current(before, after, [C]), 'written without its key noted').toBe(false);
    expect(current(before, after, [A]), 'nobody knows which keys were written').toBe(false);
    await database.db.execute(sql`insert into keyed_versions.books (project_id, organization, fen) values (${C}, 'taihu', 8)`);
    expect(current(after, await database.readDataVersions(), [A]), 'keys noted again').toBe(true);
  });

  it('changes nothing when installed again with the same keys', async () => {
    const before = await database.readDataVersions();
    await installDataVersion(database, ['keyed_versions'], { [BOOKS]: 'project_id' });
    const after = await database.readDataVersions();
    expect(after.get(BOOKS)).toBe(before.get(BOOKS));
    expect(current(before, after, [A, B, C])).toBe(true);
  });

  it('counts rows written before their table was versioned by key as written, and notes keys from then on', async () => {
    await database.db.execute(sql`create table keyed_versions.ledger (id serial primary key, project_id uuid not null)`);
    await installDataVersion(database, ['keyed_versions'], { [BOOKS]: 'project_id' });
    const before = await database.readDataVersions();
    // The trigger notes no key: the table is not versioned by key yet.
    await database.db.execute(sql`insert into keyed_versions.ledger (project_id) values (${A})`);
    await installDataVersion(database, ['keyed_versions'], { [BOOKS]: 'project_id', 'keyed_versions.ledger': 'project_id' });
    const keyed = await database.readDataVersions();
    const rows = (then: DataVersions, now: DataVersions, keys: string[]) => now.rowsCurrent('keyed_versions.ledger', then.get('keyed_versions.ledger'), 'project_id', keys);
    expect(rows(before, keyed, [B]), 'what was kept before the table was keyed is old').toBe(false);

    await database.db.execute(sql`insert into keyed_versions.ledger (project_id) values (${A})`);
    const after = await database.readDataVersions();
    expect(rows(keyed, after, [B])).toBe(true);
    expect(rows(keyed, after, [A])).toBe(false);
  });
});
