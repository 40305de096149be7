import { provenanceOf, type ProvenanceKind } from '@hub/common';
import type { ShaanxiContext } from '../loaders.ts';
import type { OrganizationRow } from '../store/shaanxi-store.ts';

export const ShaanxiOrganization = {
  __resolveReference: ({ id }: { id: string }, { loaders }: ShaanxiContext) => loaders.organization.load(id),
  province: () => 'SHAANXI',
  homeCounty: (organization: OrganizationRow, _: unknown, { loaders }: ShaanxiContext) =>
    organization.homeCountyCode ? loaders.county.load(organization.homeCountyCode) : null,
  projectsRaised: (organization: OrganizationRow, { provenance }: { provenance?: ProvenanceKind[] | null }, { loaders }: ShaanxiContext) =>
    loaders.projectsByOrganization.load({ key: organization.id, kinds: provenance ?? null }),
  provenance: provenanceOf,
};
