import DataLoader from 'dataloader';
import { byKey, groupedByKey, once, type Identity, type MadeOnUse } from '@hub/common';
import type { Peers } from '@hub/server';
import type { CeremonyFor, CeremonyRow, PairingStore } from './store/pairing-store.ts';
import type { PipelineRow, PipelineStore, ProjectPart, StageEventRow } from './store/pipeline-store.ts';
import { checksOfPackages, type FactSource } from './package-facts.ts';
import type { PackageRow, PackageStore } from './store/package-store.ts';
import type { CeremonyStore } from './store/ceremony-store.ts';
import type { TargetsStore } from './store/targets-store.ts';
import type { TrackingLoaders } from './tracking-loaders.ts';
import type { MatchLoaders } from './match-ranking.ts';
import type { SigningStore } from './store/signing-store.ts';
import type { SigningRecovery } from './signing-recovery.ts';

/**
 * What makes the per-request DataLoaders (`madeOnUse`): every entity and list-to-parent lookup
 * is one batched statement.
 */
export function loaderFactories(store: PairingStore, pipeline: PipelineStore) {
  return {
    agreement: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.agreementsByIds(ids), (row) => row.id),
    ),
    focusesByAgreement: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.focusesByAgreements(ids), (row) => row.agreementId),
    ),
    progressByAgreement: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.progressByAgreements(ids), (row) => row.agreementId),
    ),
    /** Read by the checks of draft packages too (`packageLoaderFactories`). */
    ceremony: once(() =>
      new DataLoader(async (ids: readonly string[]) =>
        byKey(ids, await store.ceremoniesByIds(ids), (row) => row.id),
      ),
    ),
    ceremoniesByAgreement: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.ceremoniesByAgreements(ids), (row) => row.agreementId),
    ),
    organizationsByCeremony: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.organizationsOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    countiesByCeremony: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.countiesOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    projectsByCeremony: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.projectsOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    ceremoniesByOrganization: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.ceremoniesOfOrganizations(ids), (row) => row.organizationId),
    ),
    ceremoniesByCounty: () => new DataLoader(async (codes: readonly string[]) =>
      groupedByKey(codes, await store.ceremoniesOfCounties(codes), (row) => row.countyCode),
    ),
    ...projectPartLoaders(pipeline),
  };
}

/** A loader of one part of a project, by project id, as a DataLoader of its own would be used. */
export interface PartLoader<V> {
  load(id: string): Promise<V>;
  prime(id: string, value: V): PartLoader<V>;
  clear(id: string): PartLoader<V>;
}

/**
 * A project's place in the pipeline, its ceremony and its history, each loaded as by a DataLoader
 * of its own but all by one: what the fields of a request ask of any project in the same tick
 * (a lookup's stage, ceremony and history; a page's ceremonies) is one statement
 * (`PipelineStore.partsOfProjects`), joining only the parts asked.
 */
function projectPartLoaders(pipeline: PipelineStore) {
  interface Key {
    part: ProjectPart;
    id: string;
  }
  const parts = once(() => new DataLoader<Key, unknown, string>(
    async (keys) => {
      const found = await pipeline.partsOfProjects(
        keys.map((key) => key.id),
        new Set(keys.map((key) => key.part)),
      );
      const byId = new Map(found.map((entry) => [entry.projectId, entry]));
      return keys.map(({ part, id }) => byId.get(id.toLowerCase())?.[part] ?? (part === 'history' ? [] : null));
    },
    { cacheKeyFn: ({ part, id }) => `${part}:${id}` },
  ));
  const loader = <V>(part: ProjectPart): PartLoader<V> => {
    const self: PartLoader<V> = {
      load: (id) => parts().load({ part, id }) as Promise<V>,
      prime(id, value) {
        parts().prime({ part, id }, value);
        return self;
      },
      clear(id) {
        parts().clear({ part, id });
        return self;
      },
    };
    return self;
  };
  return {
    pipeline: () => loader<PipelineRow | null>('pipeline'),
    ceremonyByProject: () => loader<CeremonyFor<'projectId'> | null>('ceremony'),
    history: () => loader<StageEventRow[]>('history'),
  };
}

/**
 * What makes the per-request DataLoaders of ceremony packages (`madeOnUse`), given what makes
 * the request's ceremony loader. The checks of draft packages are run for every package of a
 * request together, so a page of packages with many lines costs a fixed number of statements
 * and one query to each province.
 */
export function packageLoaderFactories(source: FactSource, ceremony: () => DataLoader<string, CeremonyRow | null>) {
  const { packages } = source;
  const linesByPackage = once(() => new DataLoader(async (ids: readonly string[]) =>
    groupedByKey(ids, await packages.linesOfPackages(ids), (row) => row.packageId),
  ));
  const lookups = { lines: (ids: readonly string[]) => linesByPackage().loadMany(ids), ceremonies: (ids: readonly string[]) => ceremony().loadMany(ids) };
  return {
    packagesByCeremony: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await packages.packagesOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    linesByPackage,
    signingByPackage: () => new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await packages.signingsOfPackages(ids), (row) => row.packageId),
    ),
    draftChecks: () => new DataLoader((rows: readonly PackageRow[]) => checksOfPackages(source, lookups, rows), { cacheKeyFn: (row) => row.id }),
    pairingExceptionsByAgreement: () => new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await source.ceremonies.pairingExceptionsOfAgreements(ids), (row) => row.agreementId),
    ),
  };
}

export type PairingLoaders = MadeOnUse<ReturnType<typeof loaderFactories> & ReturnType<typeof packageLoaderFactories>> & TrackingLoaders & MatchLoaders;

export interface PairingContext {
  store: PairingStore;
  loaders: PairingLoaders;
  pipeline: PipelineStore;
  /** Ceremony packages, their lines and claims. */
  packages: PackageStore;
  /** Scheduling ceremonies and pairing exceptions. */
  ceremonies: CeremonyStore;
  /** An agreement's targets and their revisions. */
  targets: TargetsStore;
  /** Signing packages: the decision, its claims and completion (docs/decisions/0023). */
  signing: SigningStore;
  /**
   * This process's recovery of pending signings, which also gives a request's signing the
   * configured time limit; null where none runs (a subgraph started without background work),
   * and then no package is signed (`SigningService.forRequest`).
   */
  signingRecovery: SigningRecovery | null;
  /** Who is asking, as the gateway vouched. */
  identity: Identity;
  /** The other subgraphs, for what they own (a need's county, an organization). */
  peers: Peers;
}
