import { and, count, desc, getTableColumns, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { TimeCursor } from '@hub/common';
import type { Db } from './database.ts';

/**
 * The rows after `cursor` in a list ordered by `at` then `id`, both descending:
 * `(at, id) < (cursor.at, cursor.id)`. Written as one row comparison, the list's index on
 * `(at, id)` starts the scan at the cursor; written as `at < … or (at = … and id < …)`, Postgres
 * walks the index from the newest row and filters every row before the page.
 */
export function afterCursor(at: AnyColumn, id: AnyColumn, cursor: TimeCursor): SQL {
  return sql`(${at}, ${id}) < (${sql.param(cursor.at, at)}, ${sql.param(cursor.id, id)})`;
}

/** A list kept newest first: its table, its order, and the rows a reader's filter holds. */
export interface NewestFirstList<T extends PgTable> {
  table: T;
  at: AnyColumn;
  id: AnyColumn;
  /** The rows the list holds for this reader and filter; undefined: all. */
  matching: SQL | undefined;
}

/**
 * One page of `list` after `cursor`, with one extra row to tell whether more follow, and how
 * many rows the list holds: one statement, the count a subquery beside the page. The subquery
 * names only its own table, so its columns are its own rows' and Postgres runs it once. A page
 * past the last row holds no row to carry the count, and counts apart; an empty first page
 * holds none.
 */
export async function newestFirstPage<T extends PgTable>(
  db: Db,
  list: NewestFirstList<T>,
  first: number,
  cursor: TimeCursor | null,
): Promise<{ rows: T['$inferSelect'][]; totalCount: number }> {
  const { table, at, id, matching } = list;
  // One count, sent as the page's subquery, or on its own when no row of the page carries it.
  const counting = db.select({ total: count() }).from(table as PgTable).where(matching);
  const found = (await db
    .select({ ...getTableColumns(table), totalCount: sql<number>`(${counting})`.mapWith(Number) })
    .from(table as PgTable)
    .where(and(matching, cursor ? afterCursor(at, id, cursor) : undefined))
    .orderBy(desc(at), desc(id))
    .limit(first + 1)) as (T['$inferSelect'] & { totalCount: number })[];
  const [firstRow] = found;
  if (firstRow) return { rows: found.map(({ totalCount: _, ...row }) => row as T['$inferSelect']), totalCount: firstRow.totalCount };
  return { rows: [], totalCount: cursor ? ((await counting)[0]?.total ?? 0) : 0 };
}
