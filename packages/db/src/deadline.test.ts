import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import { Deadline, isDeadlineExceeded, runWithDeadline } from './deadline.ts';
import { queryRows, type Database } from './database.ts';

const onServer = Boolean(process.env.TEST_DATABASE_URL);
const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Where a request's time limit holds: in the database layer, on PGlite and on a Postgres server. */
describe(`a request's deadline in the database (${onServer ? 'Postgres server' : 'PGlite'})`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`create table deadline_probe (id serial primary key, note text not null)`);
  });
  afterAll(() => database?.close());

  const count = async (note: string) =>
    Number((await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from deadline_probe where note = ${note}`))[0]!.n);

  it('starts no statement after the deadline, so the transaction rolls back', async () => {
    const work = runWithDeadline(Deadline.after(40), () =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into deadline_probe (note) values ('rolled back')`);
        await pause(80);
        await tx.execute(sql`insert into deadline_probe (note) values ('rolled back')`);
      }),
    );
    const error = await work.then(() => undefined, (caught: unknown) => caught);
    expect(isDeadlineExceeded(error)).toBe(true);
    expect(await count('rolled back')).toBe(0);
  });

  it('lets a request finish once it has committed, so its answer can say what it wrote', async () => {
    const rows = await runWithDeadline(Deadline.after(40), async () => {
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into deadline_probe (note) values ('committed')`);
      });
      await pause(80);
      return queryRows<{ id: number }>(database.db, sql`select id from deadline_probe where note = 'committed'`);
    });
    expect(rows).toHaveLength(1);
  });

  it('keeps refusing statements after a transaction that only read, since nothing was decided', async () => {
    const error = await runWithDeadline(Deadline.after(40), async () => {
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`select count(*) from deadline_probe`);
      });
      await pause(80);
      await database.db.execute(sql`insert into deadline_probe (note) values ('after a read-only transaction')`);
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isDeadlineExceeded(error)).toBe(true);
    expect(await count('after a read-only transaction')).toBe(0);
  });

  it('keeps refusing statements after a read that begins with WITH, outside a transaction', async () => {
    const error = await runWithDeadline(Deadline.after(40), async () => {
      await database.db.execute(sql`with probes as (select note from deadline_probe) select count(*) from probes`);
      await pause(80);
      await database.db.execute(sql`insert into deadline_probe (note) values ('after a read with WITH')`);
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isDeadlineExceeded(error)).toBe(true);
    expect(await count('after a read with WITH')).toBe(0);
  });

  it('lets a request finish once a WITH that writes has run outside a transaction', async () => {
    const rows = await runWithDeadline(Deadline.after(40), async () => {
      await database.db.execute(sql`with added as (insert into deadline_probe (note) values ('written with WITH') returning id) select count(*) from added`);
      await pause(80);
      return queryRows<{ id: number }>(database.db, sql`select id from deadline_probe where note = 'written with WITH'`);
    });
    expect(rows).toHaveLength(1);
  });

  it.skipIf(!onServer)('cancels a statement still running at the deadline (Postgres server only: PGlite runs a statement to its end)', async () => {
    const started = Date.now();
    const error = await runWithDeadline(Deadline.after(200), async () => await database.db.execute(sql`select pg_sleep(5)`)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isDeadlineExceeded(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The pool's connections are still usable after the cancel.
    expect(await count('committed')).toBe(1);
  });
});
