import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import { Deadline, runWithDeadline } from './deadline.ts';
import { queryRows, type Database, type Db } from './database.ts';
import { amongTexts, amongUuids } from './project-sets.ts';

/**
 * A request's reads on a Postgres server are prepared once per connection and run again by
 * name: the server parses and plans a statement text once, not at every statement. PGlite runs
 * in the process and plans as it always did.
 */
describe("a request's reads on a Postgres server", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database?.close());

  /** How many times the server ran `read`'s prepared statement, `read` being run twice: no row where it was not prepared. */
  const executionsOfTwice = (read: SQL, textBegins: string) =>
    // One transaction, so that all its statements go through one connection of the pool.
    runWithDeadline(Deadline.after(10_000), () =>
      database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await queryRows(tx, read);
        await queryRows(tx, read);
        return queryRows<{ executions: number }>(
          tx,
          sql`select (generic_plans + custom_plans)::int as executions from pg_prepared_statements where statement like ${`${textBegins}%`}`,
        );
      }),
    );

  it('are prepared once per connection and run again by name', async ({ skip }) => {
    if (database.kind !== 'postgres') skip('PGlite prepares nothing of its own');
    const read = sql`select count(*)::int as tables from information_schema.tables where table_schema = ${'pg_catalog'}`;
    const prepared = await executionsOfTwice(read, 'select count(*)::int as tables from information_schema.tables');
    expect(prepared, 'one prepared statement, run twice').toEqual([{ executions: 2 }]);
  });

  it('are prepared when they begin with WITH too', async ({ skip }) => {
    if (database.kind !== 'postgres') skip('PGlite prepares nothing of its own');
    const read = sql`with names as (select table_name from information_schema.tables where table_schema = ${'information_schema'}) select count(*)::int as n from names`;
    const prepared = await executionsOfTwice(read, 'with names as (select table_name from information_schema.tables');
    expect(prepared, 'one prepared statement, run twice').toEqual([{ executions: 2 }]);
  });

  it('are planned once for every list of keys: a read by keys is not planned again at each run', async ({ skip }) => {
    if (database.kind !== 'postgres') skip('PGlite prepares nothing of its own');
    // A read by keys as the stores send it, one key at a time, as one project's lookup asks.
    // Postgres plans a prepared read for the values given at its first five runs, then takes the
    // plan made once for all values if it looks no dearer: given the array, the plan for one key
    // always looks cheaper, and every run was planned again (0056).
    const plans = await runWithDeadline(Deadline.after(10_000), () =>
      database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await tx.execute(sql`create temporary table keyed (id uuid primary key, name text not null) on commit drop`);
        await tx.execute(sql`insert into keyed select gen_random_uuid(), 'row ' || n from generate_series(1, 2000) as n`);
        await tx.execute(sql`analyze keyed`);
        const ids = await queryRows<{ id: string }>(tx, sql`select id::text as id from keyed order by name limit 8`);
        for (const { id } of ids) await queryRows(tx, sql`select id, name from keyed where ${amongUuids(sql`id`, [id])}`);
        return queryRows<{ generic: number; custom: number }>(
          tx,
          sql`select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where statement like ${'select id, name from keyed where%'}`,
        );
      }),
    );
    expect(plans, 'planned for its keys five times, then once for the three runs after').toEqual([{ generic: 3, custom: 5 }]);
  });

  it('are planned once for every list of text keys too', async ({ skip }) => {
    if (database.kind !== 'postgres') skip('PGlite prepares nothing of its own');
    const plans = await runWithDeadline(Deadline.after(10_000), () =>
      database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await tx.execute(sql`create temporary table named (code text primary key, name text not null) on commit drop`);
        await tx.execute(sql`insert into named select 'code ' || n, 'row ' || n from generate_series(1, 2000) as n`);
        await tx.execute(sql`analyze named`);
        for (let n = 1; n <= 8; n += 1) await queryRows(tx, sql`select code, name from named where ${amongTexts(sql`code`, [`code ${n}`])}`);
        return queryRows<{ generic: number; custom: number }>(
          tx,
          sql`select generic_plans::int as generic, custom_plans::int as custom from pg_prepared_statements where statement like ${'select code, name from named where%'}`,
        );
      }),
    );
    expect(plans, 'planned for its keys five times, then once for the three runs after').toEqual([{ generic: 3, custom: 5 }]);
  });
});
