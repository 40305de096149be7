import { moneyFromFen, provenanceOf } from '@hub/common';
import type { PairingContext } from '../loaders.ts';
import type { AgreementRow } from '../store/pairing-store.ts';
import type { AgreementTargetRevisionRow, AgreementTargetRow } from '../store/targets-store.ts';
import { TargetsService, termYearList, type SetAgreementTargetInput } from '../targets-service.ts';

export const targetMutations = {
  setAgreementTarget: (_: unknown, { input }: { input: SetAgreementTargetInput }, context: PairingContext) =>
    new TargetsService(context).setTarget(input),
};

/** The agreement's term and targets, spread into the Agreement resolvers. */
export const agreementTargetFields = {
  termYearList: async (agreement: AgreementRow, _: unknown, { loaders }: PairingContext) =>
    termYearList(agreement, await loaders.ceremoniesByAgreement.load(agreement.id)),
  targets: (agreement: AgreementRow, _: unknown, { loaders }: PairingContext) => loaders.targetsByAgreement.load(agreement.id),
};

export const AgreementTarget = {
  committed: (target: AgreementTargetRow) => moneyFromFen(target.committedFen),
  disbursed: (target: AgreementTargetRow) => moneyFromFen(target.disbursedFen),
  history: (target: AgreementTargetRow, _: unknown, { loaders }: PairingContext) => loaders.targetRevisions.load(target.id),
  provenance: provenanceOf,
};

export const AgreementTargetRevision = {
  committed: (revision: AgreementTargetRevisionRow) => moneyFromFen(revision.committedFen),
  disbursed: (revision: AgreementTargetRevisionRow) => moneyFromFen(revision.disbursedFen),
};
