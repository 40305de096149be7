import DataLoader from 'dataloader';
import { byKey, groupedByKey, type Identity } from '@hub/common';
import type { Peers } from '@hub/server';
import type { PairingStore } from './store/pairing-store.ts';
import type { PipelineStore } from './store/pipeline-store.ts';

/** Per-request DataLoaders: every entity and list-to-parent lookup is one batched statement. */
export function createLoaders(store: PairingStore, pipeline: PipelineStore) {
  return {
    agreement: new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.agreementsByIds(ids), (row) => row.id),
    ),
    focusesByAgreement: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.focusesByAgreements(ids), (row) => row.agreementId),
    ),
    progressByAgreement: new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.progressByAgreements(ids), (row) => row.agreementId),
    ),
    ceremony: new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.ceremoniesByIds(ids), (row) => row.id),
    ),
    ceremoniesByAgreement: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.ceremoniesByAgreements(ids), (row) => row.agreementId),
    ),
    organizationsByCeremony: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.organizationsOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    countiesByCeremony: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.countiesOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    projectsByCeremony: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.projectsOfCeremonies(ids), (row) => row.ceremonyId),
    ),
    ceremoniesByOrganization: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await store.ceremoniesOfOrganizations(ids), (row) => row.organizationId),
    ),
    ceremoniesByCounty: new DataLoader(async (codes: readonly string[]) =>
      groupedByKey(codes, await store.ceremoniesOfCounties(codes), (row) => row.countyCode),
    ),
    ceremonyByProject: new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await store.ceremoniesOfProjects(ids), (row) => row.projectId),
    ),
    pipeline: new DataLoader(async (ids: readonly string[]) =>
      byKey(ids, await pipeline.pipelinesByProjects(ids), (row) => row.projectId),
    ),
    history: new DataLoader(async (ids: readonly string[]) =>
      groupedByKey(ids, await pipeline.eventsByProjects(ids), (row) => row.projectId),
    ),
  };
}

export type PairingLoaders = ReturnType<typeof createLoaders>;

export interface PairingContext {
  store: PairingStore;
  loaders: PairingLoaders;
  pipeline: PipelineStore;
  /** Who is asking, as the gateway vouched. */
  identity: Identity;
  /** The other subgraphs, for what they own (a need's county, an organization). */
  peers: Peers;
}
