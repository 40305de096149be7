import type { ProvenanceKind } from '@hub/common';
import type { PairingContext } from '../loaders.ts';
import { projectPipelineFields } from './pipeline.ts';

/** Entities owned elsewhere, extended with what the pairing knows of them. */
async function ceremoniesOfOrganization(
  { id }: { id: string },
  { provenance }: { provenance?: ProvenanceKind[] | null },
  { loaders }: PairingContext,
) {
  const ceremonies = await loaders.ceremoniesByOrganization.load(id);
  // Filtered after the batched load (an organization has a handful of ceremonies), so a list of organizations still costs one statement.
  return provenance ? ceremonies.filter((ceremony) => provenance.includes(ceremony.provenanceKind)) : ceremonies;
}

export const ShaanxiOrganization = {
  __resolveReference: (reference: { id: string }) => reference,
  ceremonies: ceremoniesOfOrganization,
};

export const JiangsuOrganization = {
  __resolveReference: (reference: { id: string }) => reference,
  ceremonies: ceremoniesOfOrganization,
};

export const County = {
  __resolveReference: (reference: { code: string }) => reference,
  async signingCeremonies(
    { code }: { code: string },
    { provenance }: { provenance?: ProvenanceKind[] | null },
    { loaders }: PairingContext,
  ) {
    const ceremonies = await loaders.ceremoniesByCounty.load(code);
    // Filtered after the batched load, so a page of counties still costs one statement.
    return provenance ? ceremonies.filter((ceremony) => provenance.includes(ceremony.provenanceKind)) : ceremonies;
  },
};

export const Project = {
  __resolveReference: (reference: { id: string }) => reference,
  ceremony: ({ id }: { id: string }, _: unknown, { loaders }: PairingContext) =>
    loaders.ceremonyByProject.load(id.toLowerCase()),
  ...projectPipelineFields,
};
