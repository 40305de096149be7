import { sql, type AnyColumn, type Placeholder, type SQL } from 'drizzle-orm';
import { isStorableKey, isUuid } from '@hub/common';

/**
 * Sets of projects (a funnel's stages) as a relation `wanted(slot, project_id)`, `slot` being
 * the set's position, for one statement to sum every set. Two text parameters whatever the
 * size: a stage may hold more projects than Postgres takes parameters. Null when no set holds
 * a project id that could be stored.
 */
export function wantedProjectSets(sets: readonly (readonly string[])[]): SQL | null {
  const pairs = sets.flatMap((ids, slot) => ids.filter(isUuid).map((id) => ({ slot, id })));
  if (pairs.length === 0) return null;
  return sql`unnest(
    string_to_array(${pairs.map((pair) => pair.slot).join(',')}, ',')::int[],
    string_to_array(${pairs.map((pair) => pair.id).join(',')}, ',')::uuid[]
  ) as wanted(slot, project_id)`;
}

/** The rows of a per-slot sum put back in the order of the sets, `zero` for a set with none. */
export function bySlot<Sums>(sets: readonly unknown[], rows: (Sums & { slot: number })[], zero: Sums): Sums[] {
  const found = new Map(rows.map(({ slot, ...sums }) => [slot, sums as Sums]));
  return sets.map((_, slot) => found.get(slot) ?? zero);
}

/**
 * `column in (select unnest(ids))` with the ids as one text parameter, whatever their number: an
 * `in` list takes a parameter per id, which Postgres plans and the driver encodes one by one (at
 * 7,000 projects, most of a statement's time), and fails past 65,535. As a relation, not as
 * `column = any(ids)`: Postgres plans a statement with its values in hand and estimates `= any`
 * of a known array element by element, so the tracking's 10,000 project ids in Jiangsu's year
 * sums took 24–32 ms to plan, as a relation 9–13 ms (most of it turning the text into 10,000
 * UUIDs), and ran as fast; and the statement is the same whatever the number of ids. Ids that
 * are not UUIDs are left out; none left matches nothing.
 */
export function amongUuids(column: SQL | AnyColumn, ids: readonly string[]): SQL {
  const uuids = ids.filter(isUuid);
  if (uuids.length === 0) return sql`false`;
  return sql`${column} in (select unnest(string_to_array(${uuidList(uuids)}, ',')::uuid[]))`;
}

/** `column = any(list)`, `list` being a `uuidList` or a prepared read's placeholder for one. */
export function inUuidList(column: SQL | AnyColumn, list: string | Placeholder): SQL {
  return sql`${column} = any(string_to_array(${list}, ',')::uuid[])`;
}

/** Ids already checked to be UUIDs, at least one, as the one parameter `inUuidList` takes. */
export function uuidList(uuids: readonly string[]): string {
  return uuids.join(',');
}

/**
 * `column = any(keys)` with the keys as one text-array parameter, whatever their number (see
 * amongUuids): Postgres looks each up in the column's index, where the rows of a JSON list it
 * guessed at a hundred (6,000 organizations' kinds: 7–11 ms against 18–28). Not as a relation,
 * as `amongUuids` does: for those 6,000 kinds it planned in 1.2–1.5 ms against 6.7–10 but ran
 * in 13–14 against 5.7–18, a probe of the index per key where `= any` walks it once. Keys no
 * column can hold (a NUL, say) are left out; none left matches nothing.
 */
export function amongTexts(column: SQL | AnyColumn, ids: readonly string[]): SQL {
  const keys = ids.filter(isStorableKey);
  if (keys.length === 0) return sql`false`;
  return sql`${column} = any(${sql.param(keys)}::text[])`;
}
