import { sql, type SQL } from 'drizzle-orm';
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
});
