import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import { Deadline, runWithDeadline } from './deadline.ts';
import { queryRows, type Db } from './database.ts';
import { databaseLog, useDatabaseLog } from './process-log.ts';

/** What the pool of a Postgres server's connections writes when the server closes one it holds idle. */
describe('an idle connection the server closes', () => {
  it('is logged with its cause, not with the connection and its prepared statements', async ({ skip }) => {
    const database = await openTestDatabase();
    const lines: Record<string, unknown>[] = [];
    const previous = databaseLog();
    useDatabaseLog({ warn: (fields) => lines.push(fields), error: (fields) => lines.push(fields) });
    try {
      if (database.kind !== 'postgres') skip('PGlite has no connections to close');
      const read = sql`select count(*)::int as tables from information_schema.tables where table_schema = ${'information_schema'}`;
      await runWithDeadline(Deadline.after(10_000), () =>
        database.db.transaction(async (outer) => {
          // A second connection, opened while the first is held: it reads (and so prepares),
          // goes back to the pool idle, and the first ends it, as an administrator would.
          const [idle] = await database.db.transaction(async (inner) => {
            await queryRows(inner as unknown as Db, read);
            return queryRows<{ pid: number }>(inner as unknown as Db, sql`select pg_backend_pid() as pid`);
          });
          await queryRows(outer as unknown as Db, sql`select pg_terminate_backend(${idle!.pid})`);
        }),
      );
      for (let waited = 0; lines.length === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toEqual({ err: { name: 'error', message: 'terminating connection due to administrator command', code: '57P01' } });
    } finally {
      useDatabaseLog(previous);
      await database.close();
    }
  });
});
