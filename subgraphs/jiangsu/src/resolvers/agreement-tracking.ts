import { ErrorCode, requirePairingService, userError } from '@hub/common';
import { YEAR_SUMMED_KINDS, type FundingKind, type YearSummedKind } from '../db/schema.ts';
import type { JiangsuContext } from '../loaders.ts';

const summedByYear = (kind: FundingKind): kind is YearSummedKind => (YEAR_SUMMED_KINDS as readonly FundingKind[]).includes(kind);

export const agreementTrackingQueries = {
  jiangsuOrganizationKinds: (_: unknown, { ids }: { ids: string[] }, { store }: JiangsuContext) => store.kindsByIds(ids),

  /**
   * The pairing tracks an agreement against its targets from these sums (one call per tracking
   * request, for every project under the agreement). Not part of the public graph: an
   * organization's money by year is summed for the pairing's service identity only.
   */
  fundingByProjectAndYear(
    _: unknown,
    { projectIds, kinds }: { projectIds: string[]; kinds?: FundingKind[] | null },
    { identity, funding }: JiangsuContext,
  ) {
    requirePairingService(identity, 'read funding sums by year');
    if (kinds && !kinds.every(summedByYear)) {
      throw userError(ErrorCode.BadUserInput, 'Pledges are not summed by year: ask for commitments and disbursements.', { argument: 'kinds' });
    }
    return funding.sumsByProjectAndYear(
      projectIds.map((id) => id.toLowerCase()),
      kinds ?? null,
    );
  },
};
