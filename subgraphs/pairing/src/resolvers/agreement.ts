import { moneyFromFen, provenanceOf } from '@hub/common';
import type { PairingContext } from '../loaders.ts';
import type { AgreementRow } from '../store/pairing-store.ts';
import { organizationReference } from './references.ts';

export const Agreement = {
  __resolveReference: ({ id }: { id: string }, { loaders }: PairingContext) => loaders.agreement.load(id),
  jiangsuParty: (agreement: AgreementRow) => organizationReference(agreement.jiangsuPartyId, 'JIANGSU'),
  shaanxiParty: (agreement: AgreementRow) => organizationReference(agreement.shaanxiPartyId, 'SHAANXI'),
  coordinator: (agreement: AgreementRow) =>
    agreement.coordinatorId ? organizationReference(agreement.coordinatorId, 'SHAANXI') : null,
  focuses: (agreement: AgreementRow, _: unknown, { loaders }: PairingContext) =>
    loaders.focusesByAgreement.load(agreement.id),
  ceremonies: (agreement: AgreementRow, _: unknown, { loaders }: PairingContext) =>
    loaders.ceremoniesByAgreement.load(agreement.id),
  async progress(agreement: AgreementRow, _: unknown, { loaders }: PairingContext) {
    const progress = await loaders.progressByAgreement.load(agreement.id);
    return {
      ceremoniesHeld: progress?.ceremoniesHeld ?? 0,
      projectsDeclared: progress?.projectsDeclared ?? 0,
      amountDeclared: moneyFromFen(progress?.amountDeclaredFen ?? 0n),
    };
  },
  provenance: provenanceOf,
};
