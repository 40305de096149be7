import { moneyFromFen, provenanceOf, provinceOf } from '@hub/common';
import type { PairingContext } from '../loaders.ts';
import type { CeremonyRow } from '../store/pairing-store.ts';
import { organizationReference } from './references.ts';
import { ceremonyPackageFields } from './package.ts';

const SHAANXI = '610000';
const JIANGSU = '320000';

async function organizationsInRole(ceremony: CeremonyRow, role: 'HOST' | 'SIGNATORY', { loaders }: PairingContext) {
  const rows = await loaders.organizationsByCeremony.load(ceremony.id);
  return rows.filter((row) => row.role === role).map((row) => organizationReference(row.organizationId, row.province));
}

export const Ceremony = {
  __resolveReference: ({ id }: { id: string }, { loaders }: PairingContext) => loaders.ceremony.load(id),
  async agreement(ceremony: CeremonyRow, _: unknown, { loaders }: PairingContext) {
    const agreement = await loaders.agreement.load(ceremony.agreementId);
    if (!agreement) throw new Error(`ceremony ${ceremony.id} names missing agreement ${ceremony.agreementId}`);
    return agreement;
  },
  shaanxiPrefecture: (ceremony: CeremonyRow) =>
    provinceOf(ceremony.cityCode) === SHAANXI ? { code: ceremony.cityCode } : null,
  jiangsuCity: (ceremony: CeremonyRow) => (provinceOf(ceremony.cityCode) === JIANGSU ? { code: ceremony.cityCode } : null),
  hosts: (ceremony: CeremonyRow, _: unknown, context: PairingContext) => organizationsInRole(ceremony, 'HOST', context),
  signatoryOrganizations: (ceremony: CeremonyRow, _: unknown, context: PairingContext) =>
    organizationsInRole(ceremony, 'SIGNATORY', context),
  async signatoryCounties(ceremony: CeremonyRow, _: unknown, { loaders }: PairingContext) {
    const rows = await loaders.countiesByCeremony.load(ceremony.id);
    return rows.map((row) => ({ code: row.countyCode }));
  },
  async projects(ceremony: CeremonyRow, _: unknown, { loaders }: PairingContext) {
    const rows = await loaders.projectsByCeremony.load(ceremony.id);
    return rows.map((row) => ({ id: row.projectId }));
  },
  declaredTotal: (ceremony: CeremonyRow) => moneyFromFen(ceremony.declaredTotalFen),
  ...ceremonyPackageFields,
  provenance: provenanceOf,
};
