import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import type { TestHub } from '@hub/testkit';

/**
 * Runs `race` while another connection holds one row with SELECT … FOR UPDATE, and lets the row
 * go only once `writers` UPDATEs of its table are seen waiting for it on the server. Reads are
 * not blocked by the lock, so every request passes whatever checks it makes first and is
 * stopped at its write: what happens next is decided by the write alone. Postgres server only:
 * PGlite has one connection and would wait on the holder itself.
 */
export async function raceAtRow<T>(
  hub: TestHub,
  row: { table: string; where: ReturnType<typeof sql> },
  writers: number,
  race: () => Promise<T>,
): Promise<T> {
  if (hub.database.kind !== 'postgres') throw new Error('a row barrier needs a Postgres server');
  let racing: Promise<T> | undefined;
  await hub.database.db.transaction(async (holder) => {
    await holder.execute(sql`select 1 from ${sql.raw(row.table)} where ${row.where} for update`);
    racing = race();
    // A request that fails before its write would otherwise leave the barrier waiting.
    racing.catch(() => {});
    await waitForBlockedUpdates(hub, row.table.split('.').at(-1)!, writers);
  });
  return racing!;
}

/** Waits until `count` UPDATEs of `table` are waiting for a row lock on the server. */
export function waitForBlockedUpdates(hub: TestHub, table: string, count: number): Promise<void> {
  return waitForLockWaits(hub, [`update %${table}%`], count, `updates of ${table}`);
}

/**
 * Waits until `count` statements matching any of `patterns` (SQL `ilike`) are waiting for a
 * lock on the server: the moment every racer is past its checks and at its write.
 */
export async function waitForLockWaits(hub: TestHub, patterns: string[], count: number, what = 'writes'): Promise<void> {
  const deadline = Date.now() + 10_000;
  const matching = sql.join(patterns.map((pattern) => sql`query ilike ${pattern}`), sql` or `);
  for (;;) {
    const [row] = await queryRows<{ n: number }>(
      hub.database.db,
      sql`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and (${matching})`,
    );
    if (Number(row!.n) >= count) return;
    if (Date.now() > deadline) throw new Error(`${count} ${what} never met at the lock (saw ${row!.n})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
