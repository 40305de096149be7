import DataLoader from 'dataloader';
import { byKey, groupedByKey, groupedByKeyAndKinds, kindsCacheKey, madeOnUse, once, type Identity, type KindsKey } from '@hub/common';
import type { Peers } from '@hub/server';
import type { FundsStore } from './store/funds-store.ts';
import type { ProjectNeedRow, ShaanxiStore } from './store/shaanxi-store.ts';

/**
 * Per-request DataLoaders: every entity and list-to-parent lookup is one batched statement. Each
 * is made the first time a request reads it (`madeOnUse`).
 */
export function createLoaders(store: ShaanxiStore, funds: FundsStore) {
  const prefecture = once(() => new DataLoader(async (codes: readonly string[]) => byKey(codes, await store.prefecturesByCodes(codes), (row) => row.code)));
  /**
   * By the code records keep, or by a renamed county's current code: both answer the same
   * county. Read with their prefectures, which the prefecture loader is given.
   */
  const county = once(() => new DataLoader(async (codes: readonly string[]) => {
    const found = await store.countiesWithPrefecturesByCodes(codes);
    for (const row of found) prefecture().prime(row.prefecture.code, row.prefecture);
    const rows = found.map((row) => row.county);
    const byCurrentCode = byKey(codes, rows, (row) => row.currentCode);
    return byKey(codes, rows, (row) => row.code).map((row, index) => row ?? byCurrentCode[index]!);
  }));
  const account = once(() => new DataLoader(async (ids: readonly string[]) =>
    byKey(ids, await funds.accountsByProjects(ids), (row) => row.projectId),
  ));
  /**
   * Needs by id, read with their counties and prefectures (and, by `projectWithAccount`, their
   * accounts), which the county, prefecture and account loaders are given.
   */
  const needs = (withAccount: boolean) => async (ids: readonly string[]) => {
    const found = await store.projectNeedsWithCountiesByIds(ids, { account: withAccount });
    for (const row of found) {
      county().prime(row.need.countyCode, row.county);
      prefecture().prime(row.prefecture.code, row.prefecture);
      if (withAccount) account().prime(row.need.id, row.account ?? null);
    }
    return byKey(
      ids,
      found.map((row) => row.need),
      (row) => row.id,
    );
  };
  const project = once(() => new DataLoader(needs(false)));
  const needsWithAccounts = once(() => new DataLoader(needs(true)));
  /**
   * A need loaded with its account is given to `project` as it is asked, still in flight: a
   * fetch of the same request that asks for the need without its money (the reconciliation's,
   * which waits for Jiangsu alone) while the first is running waits for the same statement.
   */
  const projectWithAccount = {
    load(id: string): Promise<ProjectNeedRow | null> {
      const loading = needsWithAccounts().load(id);
      project().prime(id, loading);
      return loading;
    },
    clear(id: string) {
      needsWithAccounts().clear(id);
      return projectWithAccount;
    },
  };
  return madeOnUse({
    prefecture,
    county,
    countiesByPrefecture: () => new DataLoader(async (codes: readonly string[]) =>
      groupedByKey(codes, await store.countiesByPrefectures(codes), (row) => row.prefectureCode),
    ),
    organization: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.organizationsByIds(ids), (row) => row.id),
    ),
    /** Keyed by county and kinds: one statement per distinct filter in a request, however many counties. */
    organizationsByHomeCounty: () => new DataLoader(
      (keys: readonly KindsKey<string>[]) =>
        groupedByKeyAndKinds(keys, (codes, kinds) => store.organizationsByHomeCounties(codes, kinds), (row) => row.homeCountyCode ?? ''),
      { cacheKeyFn: kindsCacheKey },
    ),
    project,
    /** The same needs read with their accounts too, which the account loader is given: for a reader that shows a need's money. */
    projectWithAccount: () => projectWithAccount,
    projectsByCounty: () => new DataLoader(
      (keys: readonly KindsKey<string>[]) =>
        groupedByKeyAndKinds(keys, (codes, kinds) => store.projectNeedsByCounties(codes, kinds), (row) => row.countyCode),
      { cacheKeyFn: kindsCacheKey },
    ),
    projectsByOrganization: () => new DataLoader(
      (keys: readonly KindsKey<string>[]) =>
        groupedByKeyAndKinds(keys, (ids, kinds) => store.projectNeedsByOrganizations(ids, kinds), (row) => row.raisedByOrganizationId ?? ''),
      { cacheKeyFn: kindsCacheKey },
    ),
    account,
    /** Sums over sets of projects (funnel stages, each its ids in one text), all sets of a request in one statement each. */
    sumsByProjectSet: () => new DataLoader(async (sets: readonly string[]) => funds.sumsByProjectSets(sets)),
    amountSoughtByProjectSet: () => new DataLoader(async (sets: readonly string[]) => store.amountSoughtByProjectSets(sets)),
    fundsEntries: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await funds.entriesByProjects(ids), (row) => row.projectId),
    ),
  });
}

export type ShaanxiLoaders = ReturnType<typeof createLoaders>;

export interface ShaanxiContext {
  store: ShaanxiStore;
  loaders: ShaanxiLoaders;
  funds: FundsStore;
  /** Who is asking, as the gateway vouched. */
  identity: Identity;
  /** The other subgraphs: a project's stage is the pairing's. */
  peers: Peers;
}
