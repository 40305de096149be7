import { scalarResolvers, valueTypeResolvers } from '@hub/common';
import { Agreement } from './agreement.ts';
import { Ceremony } from './ceremony.ts';
import { County, JiangsuOrganization, Project, ShaanxiOrganization } from './entities.ts';
import { FunnelStage, pipelineMutations, pipelineQueries, StageEvent } from './pipeline.ts';
import { Query } from './query.ts';
import { agreementTargetFields, AgreementTarget, AgreementTargetRevision, targetMutations } from './targets.ts';
import {
  agreementTrackingFields,
  AgreementTracking,
  CountyProgress,
  CountyShortfall,
  CoverageCount,
  FieldProgress,
  FocusProgress,
  MoneyProgress,
  OrganizationProgress,
  PeriodProgress,
  PrefectureProgress,
  ProgressFigures,
  projectTrackingFields,
} from './tracking.ts';
import { CeremonyPackage, packageMutations, packageQueries, PackageLine, PairingException } from './package.ts';
import { signingMutations } from './signing.ts';
import { matchingQueries, organizationMatchingFields } from './matching.ts';

export const resolvers = {
  ...scalarResolvers,
  ...valueTypeResolvers,
  Query: { ...Query, ...pipelineQueries, ...packageQueries, ...matchingQueries },
  Mutation: { ...pipelineMutations, ...packageMutations, ...targetMutations, ...signingMutations },
  StageEvent,
  FunnelStage,
  Agreement: { ...Agreement, ...agreementTargetFields, ...agreementTrackingFields },
  AgreementTarget,
  AgreementTargetRevision,
  AgreementTracking,
  PeriodProgress,
  MoneyProgress,
  ProgressFigures,
  PrefectureProgress,
  CountyProgress,
  FieldProgress,
  OrganizationProgress,
  FocusProgress,
  CoverageCount,
  CountyShortfall,
  Ceremony,
  ShaanxiOrganization,
  JiangsuOrganization: { ...JiangsuOrganization, ...organizationMatchingFields },
  County,
  Project: { ...Project, ...projectTrackingFields },
  CeremonyPackage,
  PackageLine,
  PairingException,
};
