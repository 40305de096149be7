import type { PairingContext } from '../loaders.ts';
import { cleanCriteria, type MatchCriteriaInput, type RequiredProfile } from '../match-criteria.ts';
import { MatchService, type PageRequest } from '../match-service.ts';

export const matchingQueries = {
  matchProjects: (_: unknown, { criteria, ...request }: PageRequest & { criteria: MatchCriteriaInput }, context: PairingContext) =>
    new MatchService(context).page(cleanCriteria(criteria), request),
};

export const organizationMatchingFields = {
  matches: (organization: { id: string; givingProfile?: RequiredProfile | null }, request: PageRequest, context: PairingContext) =>
    new MatchService(context).matchesOfProfile(organization.id, organization.givingProfile, request),
};
