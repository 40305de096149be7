import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { TimeCursor } from '@hub/common';

/**
 * The rows after `cursor` in a newest-first list ordered by `at` then `id`, both descending:
 * `(at, id) < (cursor.at, cursor.id)`. Written as one row comparison, the list's index on
 * `(at, id)` starts the scan at the cursor; written as `at < … or (at = … and id < …)`, Postgres
 * walks the index from the newest row and filters every row before the page.
 */
export function olderThan(at: AnyColumn, id: AnyColumn, cursor: TimeCursor): SQL {
  return sql`(${at}, ${id}) < (${sql.param(cursor.at, at)}, ${sql.param(cursor.id, id)})`;
}
