import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './database.ts';

/** The result of an optimistic update: the new row, or why there is none. */
export type VersionedUpdate<Row> =
  | { type: 'updated'; row: Row }
  | { type: 'not-found' }
  | { type: 'version-conflict'; currentVersion: number };

interface VersionedTable extends PgTable {
  version: PgColumn;
  updatedAt: PgColumn;
}

/**
 * Updates one row only if it still has `expectedVersion`, bumping the version in the same
 * statement, so two editors cannot both win. When nothing was updated, one more statement
 * tells a missing row from a version conflict.
 */
export async function updateVersioned<Row>(
  db: Db,
  table: VersionedTable,
  key: { column: PgColumn; value: string },
  expectedVersion: number,
  changes: Record<string, unknown>,
): Promise<VersionedUpdate<Row>> {
  const set = { ...changes, version: sql`${table.version} + 1`, updatedAt: sql`now()` } as Record<string, unknown>;
  const updated = (await db
    .update(table)
    .set(set as never)
    .where(and(eq(key.column, key.value), eq(table.version, expectedVersion)) as SQL)
    .returning()) as Row[];
  const [row] = updated;
  if (row) return { type: 'updated', row };
  const [current] = (await db
    .select({ version: table.version })
    .from(table as never)
    .where(eq(key.column, key.value))) as { version: number }[];
  return current ? { type: 'version-conflict', currentVersion: current.version } : { type: 'not-found' };
}
