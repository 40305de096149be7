import DataLoader from 'dataloader';
import { byKey, groupedByKey, groupedByKeyAndKinds, kindsCacheKey, madeOnUse, once, type Identity, type KindsKey } from '@hub/common';
import type { Peers } from '@hub/server';
import type { FundingStore } from './store/funding-store.ts';
import type { GivingProfileStore } from './store/giving-profile-store.ts';
import type { InterestStore } from './store/interest-store.ts';
import type { JiangsuStore } from './store/jiangsu-store.ts';

/**
 * Per-request DataLoaders: every entity and list-to-parent lookup is one batched statement. Each
 * is made the first time a request reads it (`madeOnUse`).
 */
export function createLoaders(store: JiangsuStore, funding: FundingStore, profiles: GivingProfileStore, interests: InterestStore) {
  const city = once(() => new DataLoader(async (codes: readonly string[]) => byKey(codes, await store.citiesByCodes(codes), (row) => row.code)));
  return madeOnUse({
    city,
    county: () => new DataLoader(async (codes: readonly string[]) =>
      byKey(codes, await store.countiesByCodes(codes), (row) => row.code),
    ),
    countiesByCity: () => new DataLoader(async (codes: readonly string[]) =>
      groupedByKey(codes, await store.countiesByCities(codes), (row) => row.cityCode),
    ),
    organization: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.organizationsByIds(ids), (row) => row.id),
    ),
    /** Keyed by city and kinds: one statement per distinct filter in a request, however many cities. */
    organizationsByCity: () => new DataLoader(
      (keys: readonly KindsKey<string>[]) =>
        groupedByKeyAndKinds(keys, (codes, kinds) => store.organizationsByCities(codes, kinds), (row) => row.cityCode ?? ''),
      { cacheKeyFn: kindsCacheKey },
    ),
    pairingByJiangsuCity: () => new DataLoader(async (codes: readonly string[]) =>
      byKey(codes, await store.cityPairingsByJiangsuCities(codes), (row) => row.jiangsuCityCode),
    ),
    /** Each with its city, which the pairing's resolvers ask next: the city loader is given them. */
    pairingByShaanxiPrefecture: () => new DataLoader(async (codes: readonly string[]) => {
      const rows = await store.cityPairingsWithCitiesByShaanxiPrefectures(codes);
      for (const row of rows) city().prime(row.city.code, row.city);
      return byKey(
        codes,
        rows.map((row) => row.pairing),
        (row) => row.shaanxiPrefectureCode,
      );
    }),
    countyPairsByJiangsuCity: () => new DataLoader(async (codes: readonly string[]) =>
      groupedByKey(codes, await store.countyPairsByJiangsuCities(codes), (row) => row.jiangsuCityCode),
    ),
    countyPairsByShaanxiCounty: () => new DataLoader(async (codes: readonly string[]) =>
      groupedByKey(codes, await store.countyPairsByShaanxiCounties(codes), (row) => row.shaanxiCountyCode),
    ),
    accountsByProject: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await funding.accountsByProjects(ids), (row) => row.projectId),
    ),
    totalsByProject: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await funding.totalsByProjects(ids), (row) => row.projectId),
    ),
    /** Sums over sets of projects (funnel stages, each its ids in one text), all sets of a request in one statement. */
    sumsByProjectSet: () => new DataLoader(async (sets: readonly string[]) => funding.sumsByProjectSets(sets)),
    entriesByProject: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await funding.entriesByProjects(ids), (row) => row.projectId),
    ),
    /** Every interest in each project, withdrawn ones too: who reads which is the interest service's rule. */
    interestsByProject: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await interests.interestsByProjects(ids), (row) => row.projectId),
    ),
    interestsByOrganization: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await interests.interestsByOrganizations(ids), (row) => row.organizationId),
    ),
    /** Giving profiles by organization id, as stored: whether the caller may read one is the service's rule. */
    givingProfile: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await profiles.profilesByOrganizations(ids), (row) => row.organizationId),
    ),
    givingProfileVersions: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await profiles.versionsByOrganizations(ids), (row) => row.organizationId),
    ),
  });
}

export type JiangsuLoaders = ReturnType<typeof createLoaders>;

export interface JiangsuContext {
  store: JiangsuStore;
  loaders: JiangsuLoaders;
  funding: FundingStore;
  profiles: GivingProfileStore;
  interests: InterestStore;
  /** Who is asking, as the gateway vouched. */
  identity: Identity;
  /** The other subgraphs: a project's stage is the pairing's. */
  peers: Peers;
}
