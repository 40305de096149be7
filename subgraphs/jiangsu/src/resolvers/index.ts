import { scalarResolvers, valueTypeResolvers } from '@hub/common';
import { CityPairing, County, CountyPair, JiangsuCity, JiangsuCounty, Prefecture } from './city.ts';
import { JiangsuOrganization } from './organization.ts';
import { FundingEntry, fundingMutations, FundingShare, FunnelStage, Project } from './funding.ts';
import { Mutation } from './mutation.ts';
import { packageCommitmentMutations } from './package-commitments.ts';
import { Query } from './query.ts';
import { agreementTrackingQueries } from './agreement-tracking.ts';
import { GivingProfile, givingProfileMutations, GivingProfileVersion, organizationGivingProfileFields } from './giving-profile.ts';
import { projectMatchingFields } from './matching.ts';
import { interestMutations, organizationInterestFields, ProjectInterest, projectInterestFields } from './interest.ts';

export const resolvers = {
  ...scalarResolvers,
  ...valueTypeResolvers,
  Query: { ...Query, ...agreementTrackingQueries },
  Mutation: { ...Mutation, ...fundingMutations, ...packageCommitmentMutations, ...givingProfileMutations, ...interestMutations },
  FundingEntry,
  FundingShare,
  Project: { ...Project, ...projectMatchingFields, ...projectInterestFields },
  ProjectInterest,
  FunnelStage,
  JiangsuCity,
  JiangsuCounty,
  CityPairing,
  CountyPair,
  Prefecture,
  County,
  JiangsuOrganization: { ...JiangsuOrganization, ...organizationGivingProfileFields, ...organizationInterestFields },
  GivingProfile,
  GivingProfileVersion,
  Organization: {
    __resolveType: () => 'JiangsuOrganization',
  },
};
