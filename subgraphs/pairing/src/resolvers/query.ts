import { notFound, type ProvenanceKind } from '@hub/common';
import type { Province } from '../db/schema.ts';
import type { PairingContext } from '../loaders.ts';
import { organizationReference } from './references.ts';

export const Query = {
  agreements: (_: unknown, { provenance }: { provenance?: ProvenanceKind[] | null }, { store }: PairingContext) =>
    store.allAgreements(provenance ?? null),

  async agreement(_: unknown, { id }: { id: string }, { loaders }: PairingContext) {
    const agreement = await loaders.agreement.load(id);
    if (!agreement) throw notFound('agreement', 'id', id);
    return agreement;
  },

  ceremonies: (
    _: unknown,
    { year, provenance }: { year?: number | null; provenance?: ProvenanceKind[] | null },
    { store }: PairingContext,
  ) => store.ceremoniesMatching(year ?? null, provenance ?? null),

  async ceremony(_: unknown, { id }: { id: string }, { loaders }: PairingContext) {
    const ceremony = await loaders.ceremony.load(id);
    if (!ceremony) throw notFound('ceremony', 'id', id);
    return ceremony;
  },

  async participants(
    _: unknown,
    { province, provenance }: { province?: Province | null; provenance?: ProvenanceKind[] | null },
    { store }: PairingContext,
  ) {
    const rows = await store.participants(province ?? null, provenance ?? null);
    return rows.map((row) => ({
      organization: organizationReference(row.organizationId, row.province),
      province: row.province,
      roles: row.roles,
    }));
  },
};
