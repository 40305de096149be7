import { scalarResolvers, valueTypeResolvers } from '@hub/common';
import { County, Prefecture } from './geography.ts';
import { ShaanxiOrganization } from './organization.ts';
import { Project } from './project.ts';
import { FundsEntry, fundsMutations, FunnelStage, projectFundsFields } from './funds.ts';
import { Mutation } from './mutation.ts';
import { publicationMutations } from './publication.ts';
import { Query } from './query.ts';

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
  Project: { ...Project, ...projectFundsFields },
  Organization: {
    __resolveType: () => 'ShaanxiOrganization',
  },
};
