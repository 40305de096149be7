import { notFound } from '@hub/common';
import type { Province } from '../db/schema.ts';
import type { PairingContext } from '../loaders.ts';
import { organizationReference } from './references.ts';

export const Query = {
  agreements: (_: unknown, __: unknown, { store }: PairingContext) => store.allAgreements(),

  async agreement(_: unknown, { id }: { id: string }, { loaders }: PairingContext) {
    const agreement = await loaders.agreement.load(id);
    if (!agreement) throw notFound('agreement', 'id', id);
    return agreement;
  },

  ceremonies: (_: unknown, { year }: { year?: number | null }, { store }: PairingContext) =>
    store.ceremoniesInYear(year ?? null),

  async ceremony(_: unknown, { id }: { id: string }, { loaders }: PairingContext) {
    const ceremony = await loaders.ceremony.load(id);
    if (!ceremony) throw notFound('ceremony', 'id', id);
    return ceremony;
  },

  async participants(_: unknown, { province }: { province?: Province | null }, { store }: PairingContext) {
    const rows = await store.participants(province ?? null);
    return rows.map((row) => ({
      organization: organizationReference(row.organizationId, row.province),
      province: row.province,
      roles: row.roles,
    }));
  },
};
