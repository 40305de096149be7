import { sql, type AnyColumn, type Param, type Placeholder, type SQL } from 'drizzle-orm';
import { isStorableKey, isUuid, uuidsOfList } from '@hub/common';

/**
 * Sets of projects (a funnel's stages) as a relation `wanted(slot, project_id)`, `slot` being
 * the set's position, for one statement to sum every set. Each set comes as its ids in one text,
 * comma-separated (`FunnelStage.projectIdList`), and all of them go as one text parameter that
 * Postgres splits: whatever their size, and with no string made per id on the way (a stage may
 * hold more projects than Postgres takes parameters). Ids that are not UUIDs are left out. Null
 * when no set holds one.
 */
export function wantedProjectSets(lists: readonly string[]): SQL | null {
  const checked = lists.map(uuidsOfList);
  if (checked.every((list) => list === '')) return null;
  return sql`(
    select (sets.slot - 1)::int as slot, member.project_id
    from unnest(string_to_array(${checked.join(';')}, ';')) with ordinality as sets(list, slot),
      unnest(string_to_array(sets.list, ',')::uuid[]) as member(project_id)
  ) as wanted`;
}

/** The rows of a per-slot sum put back in the order of the sets, `zero` for a set with none. */
export function bySlot<Sums>(sets: readonly unknown[], rows: (Sums & { slot: number })[], zero: Sums): Sums[] {
  const found = new Map(rows.map(({ slot, ...sums }) => [slot, sums as Sums]));
  return sets.map((_, slot) => found.get(slot) ?? zero);
}

/**
 * `column = any(ids)` with the ids as one text parameter, whatever their number: an `in` list
 * takes a parameter per id, which Postgres plans and the driver encodes one by one (at 7,000
 * projects, most of a statement's time), and fails past 65,535. Ids that are not UUIDs are left
 * out; none left matches nothing. Planned for its values, `= any` of 10,000 ids costs Postgres
 * 17–34 ms of planning (it estimates each id). A request's reads are prepared (0044), and the
 * ids reach the planner through a subquery (`uuidArray`), so after five runs a connection plans
 * the statement once for every list (0056); a list of more than `SHORT_LIST` goes as itself, and
 * Postgres plans it once for lists that long after five runs, looking 10,000 ids up through the
 * index in 16–19 ms (Jiangsu's year sums for the tracking). As a relation (`in (select
 * unnest(...))`) it planned in 7–9 ms, but that plan made once for every list took the list
 * for ten ids and probed the index for each: 73–90 ms.
 */
export function amongUuids(column: SQL | AnyColumn, ids: readonly string[]): SQL {
  const uuids = ids.filter(isUuid);
  if (uuids.length === 0) return sql`false`;
  if (uuids.length > SHORT_LIST) return sql`${column} = any(string_to_array(${uuidList(uuids)}, ',')::uuid[])`;
  return inUuidList(column, uuidList(uuids));
}

/**
 * The most keys a list may hold to reach the planner through a subquery (`uuidArray`), planned
 * as ten. A longer one goes as itself, a statement of its own: planned for the thousands it
 * holds, until Postgres plans it once for lists that long. A sum over Jiangsu's year sums for
 * 10,000 projects took 24 ms with the plan for ten, 15–16 ms with its own (0056).
 */
const SHORT_LIST = 100;

/** `column = any(list)`, `list` being a `uuidList` or a prepared read's placeholder for one. */
export function inUuidList(column: SQL | AnyColumn, list: string | Placeholder): SQL {
  return sql`${column} = any(${uuidArray(list)})`;
}

/**
 * The uuids of `list` (a `uuidList`, or a prepared read's placeholder for one) as an array the
 * planner does not look into: a subquery run once per statement (decision 0056). Given the array
 * itself, Postgres plans a prepared read again at every run, each plan for the keys it was given:
 * the plan for one key always looks cheaper than a plan for any list, so the plan made once
 * (generic) is never taken, and planning a read by keys costs more than running it. Seen through
 * a subquery, every list looks the same: after five runs on a connection the read is planned once.
 */
export function uuidArray(list: string | Placeholder): SQL {
  return sql`(select string_to_array(${list}, ','))::uuid[]`;
}

/** Ids already checked to be UUIDs, at least one, as the one parameter `inUuidList` takes. */
export function uuidList(uuids: readonly string[]): string {
  return uuids.join(',');
}

/**
 * `column = any(keys)` with the keys as one text-array parameter, whatever their number (see
 * amongUuids): Postgres looks each up in the column's index, where the rows of a JSON list it
 * guessed at a hundred (6,000 organizations' kinds: 7–11 ms against 18–28). Keys no column
 * can hold (a NUL, say) are left out; none left matches nothing.
 */
export function amongTexts(column: SQL | AnyColumn, ids: readonly string[]): SQL {
  const keys = ids.filter(isStorableKey);
  if (keys.length === 0) return sql`false`;
  if (keys.length > SHORT_LIST) return sql`${column} = any(${sql.param(keys)}::text[])`;
  return inTextList(column, sql.param(keys));
}

/**
 * `column = any(keys)`, `keys` being a text-array parameter or a prepared read's placeholder for
 * one, seen through a subquery as `uuidArray`'s are. The cast outside it makes it an array, not
 * a subquery `any` would take row by row.
 */
export function inTextList(column: SQL | AnyColumn, keys: Param | Placeholder): SQL {
  return sql`${column} = any((select ${keys}::text[])::text[])`;
}
