import { ErrorCode, userError } from '@hub/common';
import type { PairingContext } from '../loaders.ts';
import { cleanCriteria, criteriaOfProfile, type MatchCriteriaInput, type RequiredProfile } from '../match-criteria.ts';
import { MatchService, type MatchFilterInput } from '../match-service.ts';

interface MatchArgs {
  filter?: MatchFilterInput | null;
  first?: number | null;
  after?: string | null;
}

export const matchingQueries = {
  matchProjects: (_: unknown, { criteria, ...args }: MatchArgs & { criteria: MatchCriteriaInput }, context: PairingContext) =>
    new MatchService(context).page(cleanCriteria(criteria), args.filter, args),
};

export const organizationMatchingFields = {
  /**
   * The profile arrives through `@requires`, fetched from Jiangsu with the caller's identity: a
   * profile the caller may not read arrives as null, exactly like none.
   */
  matches(organization: { id: string; givingProfile?: RequiredProfile | null }, args: MatchArgs, context: PairingContext) {
    if (!organization.givingProfile) {
      throw userError(ErrorCode.NotFound, `Organization ${organization.id} has no giving profile you may read.`, {
        organizationId: organization.id,
      });
    }
    return new MatchService(context).page(criteriaOfProfile(organization.givingProfile), args.filter, args);
  },
};
