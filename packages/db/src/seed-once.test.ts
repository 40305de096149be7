import { sql } from 'drizzle-orm';
import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import { queryRows, type Database } from './database.ts';
import { seedOnce } from './seed-once.ts';

const seedLog = pgTable('seed_once_log', {
  name: text('name').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A seed set loads once per database, and a load that fails leaves nothing behind, not even its log entry. */
describe('seedOnce', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`create table seed_once_log (name text primary key, applied_at timestamptz not null default now())`);
    await database.db.execute(sql`create table seed_once_rows (note text not null)`);
  });
  afterAll(() => database?.close());

  const rows = async (note: string) =>
    Number((await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from seed_once_rows where note = ${note}`))[0]!.n);
  const load = (name: string, note: string) =>
    seedOnce(database.db, seedLog, name, async (tx) => {
      await tx.execute(sql`insert into seed_once_rows (note) values (${note})`);
    });

  it('runs the work the first time only', async () => {
    expect(await load('set-a', 'a')).toBe(true);
    expect(await load('set-a', 'a')).toBe(false);
    expect(await rows('a')).toBe(1);
  });

  it('leaves no log entry when the work fails, so the next start loads the set', async () => {
    const failed = await seedOnce(database.db, seedLog, 'set-b', async (tx) => {
      await tx.execute(sql`insert into seed_once_rows (note) values ('b')`);
      throw new Error('the seed file is unreadable');
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(await rows('b')).toBe(0);
    expect(await load('set-b', 'b')).toBe(true);
    expect(await rows('b')).toBe(1);
  });
});
