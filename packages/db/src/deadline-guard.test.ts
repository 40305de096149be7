import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import { Deadline, runWithDeadline } from './deadline.ts';
import { queryRows, type Database, type Db } from './database.ts';

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

  it('are prepared once per connection and run again by name', async ({ skip }) => {
    if (database.kind !== 'postgres') skip('PGlite prepares nothing of its own');
    const read = sql`select count(*)::int as tables from information_schema.tables where table_schema = ${'pg_catalog'}`;
    // One transaction, so that all its statements go through one connection of the pool.
    const prepared = await runWithDeadline(Deadline.after(10_000), () =>
      database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await queryRows(tx, read);
        await queryRows(tx, read);
        return queryRows<{ executions: number }>(
          tx,
          sql`select (generic_plans + custom_plans)::int as executions from pg_prepared_statements where statement like ${'select count(*)::int as tables from information_schema.tables%'}`,
        );
      }),
    );
    expect(prepared, 'one prepared statement, run twice').toEqual([{ executions: 2 }]);
  });

  it('are prepared when they begin with WITH too', async ({ skip }) => {
    if (database.kind !== 'postgres') skip('PGlite prepares nothing of its own');
    const read = sql`with names as (select table_name from information_schema.tables where table_schema = ${'information_schema'}) select count(*)::int as n from names`;
    const prepared = await runWithDeadline(Deadline.after(10_000), () =>
      database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await queryRows(tx, read);
        await queryRows(tx, read);
        return queryRows<{ executions: number }>(
          tx,
          sql`select (generic_plans + custom_plans)::int as executions from pg_prepared_statements where statement like ${'with names as (select table_name from information_schema.tables%'}`,
        );
      }),
    );
    expect(prepared, 'one prepared statement, run twice').toEqual([{ executions: 2 }]);
  });
});
