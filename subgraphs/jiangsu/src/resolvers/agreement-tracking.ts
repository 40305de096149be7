import { ErrorCode, requireRole, serviceIdentity, userError } from '@hub/common';
import type { JiangsuContext } from '../loaders.ts';

/** The pairing subgraph's service identity: the one caller of the sums it tracks its agreements with. */
const PAIRING_SERVICE = serviceIdentity('pairing').subject;

export const agreementTrackingQueries = {
  /**
   * The pairing tracks an agreement against its targets from these sums (one call per tracking
   * request, for every project under the agreement). Not part of the public graph: an
   * organization's money by year is summed for the pairing's service identity only.
   */
  fundingByProjectAndYear(_: unknown, { projectIds }: { projectIds: string[] }, { identity, funding }: JiangsuContext) {
    requireRole(identity, ['SERVICE'], 'read funding sums by year');
    if (identity.subject !== PAIRING_SERVICE) {
      throw userError(ErrorCode.Forbidden, 'Only the pairing subgraph may read funding sums by year, as it tracks the agreements.', {
        role: identity.role,
      });
    }
    return funding.sumsByProjectAndYear(projectIds.map((id) => id.toLowerCase()));
  },
};
