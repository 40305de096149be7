import { scalarResolvers, valueTypeResolvers } from '@hub/common';
import { County, Prefecture } from './geography.ts';
import { ShaanxiOrganization } from './organization.ts';
import { Project } from './project.ts';
import { FundsEntry, fundsMutations, FunnelStage, projectFundsFields } from './funds.ts';
import { Mutation } from './mutation.ts';
import { publicationMutations } from './publication.ts';
import { Query } from './query.ts';
import { projectMatchingFields } from './matching.ts';

export const resolvers = {
  ...scalarResolvers,
  ...valueTypeResolvers,
  Query,
  Mutation: { ...Mutation, ...fundsMutations, ...publicationMutations },
  FundsEntry,
  FunnelStage,
  Prefecture,
  County,
  ShaanxiOrganization,
  Project: { ...Project, ...projectFundsFields, ...projectMatchingFields },
  Organization: {
    __resolveType: () => 'ShaanxiOrganization',
  },
};
