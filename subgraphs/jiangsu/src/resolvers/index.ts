import { scalarResolvers, valueTypeResolvers } from '@hub/common';
import { CityPairing, County, CountyPair, JiangsuCity, JiangsuCounty, Prefecture } from './city.ts';
import { JiangsuOrganization } from './organization.ts';
import { FundingEntry, fundingMutations, FundingShare, FunnelStage, Project } from './funding.ts';
import { Mutation } from './mutation.ts';
import { packageCommitmentMutations } from './package-commitments.ts';
import { Query } from './query.ts';
import { agreementTrackingQueries } from './agreement-tracking.ts';
import { projectMatchingFields } from './matching.ts';

export const resolvers = {
  ...scalarResolvers,
  ...valueTypeResolvers,
  Query: { ...Query, ...agreementTrackingQueries },
  Mutation: { ...Mutation, ...fundingMutations, ...packageCommitmentMutations },
  FundingEntry,
  FundingShare,
  Project: { ...Project, ...projectMatchingFields },
  FunnelStage,
  JiangsuCity,
  JiangsuCounty,
  CityPairing,
  CountyPair,
  Prefecture,
  County,
  JiangsuOrganization,
  Organization: {
    __resolveType: () => 'JiangsuOrganization',
  },
};
