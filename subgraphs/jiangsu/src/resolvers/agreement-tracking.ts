import { requirePairingService } from '@hub/common';
import type { FundingKind } from '../db/schema.ts';
import type { JiangsuContext } from '../loaders.ts';

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
    return funding.sumsByProjectAndYear(
      projectIds.map((id) => id.toLowerCase()),
      kinds ?? null,
    );
  },
};
