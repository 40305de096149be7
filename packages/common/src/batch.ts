import type { ProvenanceKind } from './provenance.ts';

/**
 * Helpers for DataLoader batch functions: a batch query returns rows in any order and with
 * gaps; DataLoader wants one result per key, in key order.
 */
export function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const index = new Map<K, R>();
  for (const row of rows) index.set(keyOf(row), row);
  return keys.map((key) => index.get(key) ?? null);
}

export function groupedByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>();
  for (const key of keys) groups.set(key, []);
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/**
 * The key of a list-to-parent lookup that takes the kinds of record to show: the parent's key
 * and the kinds (null: every kind; empty: none). Loaders keyed by it cache each filter apart.
 */
export interface KindsKey<K> {
  key: K;
  kinds: readonly ProvenanceKind[] | null;
}

/** DataLoader `cacheKeyFn` for a `KindsKey`: the same kinds in any order are one filter. */
export function kindsCacheKey<K>({ key, kinds }: KindsKey<K>): string {
  return `${String(key)}|${kinds === null ? '*' : [...new Set(kinds)].sort().join(',')}`;
}

/**
 * A batch of `KindsKey`s answered with one statement per distinct filter, not per parent: a
 * page of 50 counties asking for the real projects costs what a page of 5 does.
 */
export async function groupedByKeyAndKinds<K, R>(
  keys: readonly KindsKey<K>[],
  load: (parents: K[], kinds: readonly ProvenanceKind[] | null) => Promise<R[]>,
  keyOf: (row: R) => K,
): Promise<R[][]> {
  const byFilter = new Map<string, { kinds: readonly ProvenanceKind[] | null; parents: K[] }>();
  for (const { key, kinds } of keys) {
    const filter = kindsCacheKey({ key: '', kinds });
    const entry = byFilter.get(filter) ?? { kinds, parents: [] };
    entry.parents.push(key);
    byFilter.set(filter, entry);
  }
  const results = new Map<string, Map<K, R[]>>();
  await Promise.all(
    [...byFilter].map(async ([filter, { kinds, parents }]) => {
      const groups = groupedByKey(parents, await load(parents, kinds), keyOf);
      results.set(filter, new Map(parents.map((parent, index) => [parent, groups[index]!])));
    }),
  );
  return keys.map(({ key, kinds }) => results.get(kindsCacheKey({ key: '', kinds }))?.get(key) ?? []);
}
