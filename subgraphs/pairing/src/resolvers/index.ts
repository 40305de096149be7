import { scalarResolvers } from '@hub/common';
import { Agreement } from './agreement.ts';
import { Ceremony } from './ceremony.ts';
import { County, JiangsuOrganization, Project, ShaanxiOrganization } from './entities.ts';
import { Query } from './query.ts';

export const resolvers = {
  ...scalarResolvers,
  Query,
  Agreement,
  Ceremony,
  ShaanxiOrganization,
  JiangsuOrganization,
  County,
  Project,
};
