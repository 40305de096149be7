import { scalarResolvers, valueTypeResolvers } from '@hub/common';
import { Agreement } from './agreement.ts';
import { Ceremony } from './ceremony.ts';
import { County, JiangsuOrganization, Project, ShaanxiOrganization } from './entities.ts';
import { FunnelStage, pipelineMutations, pipelineQueries, StageEvent } from './pipeline.ts';
import { Query } from './query.ts';

export const resolvers = {
  ...scalarResolvers,
  ...valueTypeResolvers,
  Query: { ...Query, ...pipelineQueries },
  Mutation: pipelineMutations,
  StageEvent,
  FunnelStage,
  Agreement,
  Ceremony,
  ShaanxiOrganization,
  JiangsuOrganization,
  County,
  Project,
};
