import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import type { Database } from './database.ts';
import { noWrites, runNotingWrites, type TablesWritten } from './deadline.ts';

/**
 * What a write wrote, as the gateway notes it to let reads join across writes that touched none
 * of their tables (gateway/src/in-flight-reads.ts): the tables its transactions wrote rows of,
 * those their triggers wrote among them, or "not known" where no transaction tells.
 */
describe('the tables a write wrote', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    for (const statement of [
      'create schema written',
      'create table written.entry (id int primary key, kind text not null)',
      'create table written.year_sum (kind text primary key, total int not null)',
      'create table written.other (id int primary key)',
      // As the Jiangsu books keep their year sums: only some kinds of entry reach them.
      `create function written.keep_sum() returns trigger language plpgsql as $$
       begin
         if new.kind = 'COMMITMENT' then
           insert into written.year_sum values (new.kind, 1) on conflict (kind) do update set total = written.year_sum.total + 1;
         end if;
         return null;
       end $$`,
      'create trigger entry_sum after insert on written.entry for each row execute function written.keep_sum()',
    ]) {
      await database.db.execute(sql.raw(statement));
    }
  });
  afterAll(() => database?.close());

  let nextId = 0;
  /** Runs `work` noting what it writes; a drizzle query runs when awaited, so `work` awaits its own. */
  const noting = async (work: (db: Database['db']) => Promise<unknown>): Promise<TablesWritten> => {
    const written = noWrites();
    await runNotingWrites(written, async () => {
      await work(database.db);
    });
    return written;
  };
  const insertEntry = (kind: string) => sql`insert into written.entry (id, kind) values (${(nextId += 1)}, ${kind})`;

  it("names the tables a transaction wrote, its triggers' among them", async () => {
    const commitment = await noting((db) => db.transaction((tx) => tx.execute(insertEntry('COMMITMENT'))));
    expect(commitment.unknown).toBe(false);
    expect([...commitment.tables]).toEqual(expect.arrayContaining(['written.entry', 'written.year_sum']));
    expect(commitment.tables.has('written.other')).toBe(false);

    // Postgres may also name what earlier transactions on the same connection wrote (the sums,
    // above): more tables, never fewer. None of them wrote the other table.
    const pledge = await noting((db) => db.transaction((tx) => tx.execute(insertEntry('PLEDGE'))));
    expect(pledge.unknown).toBe(false);
    expect(pledge.tables.has('written.entry')).toBe(true);
    expect(pledge.tables.has('written.other')).toBe(false);
  });

  it('leaves them unknown for a write outside a transaction, or one whose rows no count shows', async () => {
    const alone = await noting(async (db) => await db.execute(insertEntry('PLEDGE')));
    expect(alone.unknown).toBe(true);

    const truncated = await noting((db) => db.transaction((tx) => tx.execute(sql`truncate written.other`)));
    expect(truncated.unknown).toBe(true);
  });

  it('counts a read outside a transaction as no write, and notes nothing where nobody asked', async () => {
    const read = await noting(async (db) => await db.execute(sql`select count(*) from written.entry`));
    expect(read).toEqual({ tables: new Set(), unknown: false });

    // No scope: a transaction sends no statement more than its own.
    const { statements } = await database.statements.measure(() => database.db.transaction((tx) => tx.execute(insertEntry('PLEDGE'))));
    expect(statements.filter((statement) => !/^\s*(begin|commit)/i.test(statement))).toHaveLength(1);
  });
});
