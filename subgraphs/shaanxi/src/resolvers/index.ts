import { scalarResolvers } from '@hub/common';
import { County, Prefecture } from './geography.ts';
import { ShaanxiOrganization } from './organization.ts';
import { Project } from './project.ts';
import { Mutation } from './mutation.ts';
import { Query } from './query.ts';

export const resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Prefecture,
  County,
  ShaanxiOrganization,
  Project,
  Organization: {
    __resolveType: () => 'ShaanxiOrganization',
  },
};
