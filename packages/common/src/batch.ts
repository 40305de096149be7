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

/** A request's loaders by name, each as what makes it. */
export type LoaderFactories = Record<string, () => unknown>;

/** The loaders `madeOnUse` gives: under each name, what its factory made. */
export type MadeOnUse<F extends LoaderFactories> = { readonly [K in keyof F]: ReturnType<F[K]> };

/**
 * A request's loaders, each made the first time it is read and the same one from then on. A
 * subgraph's context names dozens of DataLoaders and a request uses a few: made all at once,
 * the three subgraphs' were 9 % of what a project lookup allocated.
 *
 * Read by name only: listing or spreading the object throws (merge the factories instead).
 */
export function madeOnUse<F extends LoaderFactories>(factories: F): MadeOnUse<F> {
  return new Proxy<MadeOnUseState>({ factories, made: new Map() }, MADE_ON_USE) as unknown as MadeOnUse<F>;
}

/**
 * Makes the value the first time the function it returns is called, and gives the same one
 * after: for a loader that other loaders' batch functions prime or read.
 */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** What `madeOnUse`'s object holds: the factories, and the loaders made so far. */
interface MadeOnUseState {
  factories: LoaderFactories;
  made: Map<string, unknown>;
}

const MADE_ON_USE: ProxyHandler<MadeOnUseState> = {
  get({ factories, made }, name) {
    if (typeof name !== 'string' || !Object.hasOwn(factories, name)) return undefined;
    if (made.has(name)) return made.get(name);
    const loader = (factories[name] as () => unknown)();
    made.set(name, loader);
    return loader;
  },
  has: ({ factories }, name) => typeof name === 'string' && Object.hasOwn(factories, name),
  ownKeys() {
    throw new TypeError("A request's loaders are read by name: they cannot be listed, spread or copied");
  },
};
