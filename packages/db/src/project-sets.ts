import { sql, type SQL } from 'drizzle-orm';
import { isUuid } from '@hub/common';

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
