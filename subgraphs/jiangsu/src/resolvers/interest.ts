import { moneyFromFen, provenanceOf } from '@hub/common';
import {
  expressInterest,
  interestsOfOrganization,
  interestsOfProject,
  withdrawInterest,
  type ExpressInterestInput,
} from '../interest-service.ts';
import type { JiangsuContext } from '../loaders.ts';
import type { ProjectInterestRow } from '../store/interest-store.ts';
import type { OrganizationRow } from '../store/jiangsu-store.ts';

type InterestArgs = { includeWithdrawn?: boolean | null };

/** A foundation's word that it is interested in a project (docs/decisions/0026-matching.md). */
export const interestMutations = {
  expressInterest: (_: unknown, { input }: { input: ExpressInterestInput }, context: JiangsuContext) => expressInterest(context, input),
  withdrawInterest: (_: unknown, args: { projectId: string; organizationId: string }, context: JiangsuContext) =>
    withdrawInterest(context, args.projectId, args.organizationId),
};

export const ProjectInterest = {
  project: (interest: ProjectInterestRow) => ({ id: interest.projectId }),
  organization: (interest: ProjectInterestRow, _: unknown, { loaders }: JiangsuContext) => loaders.organization.load(interest.organizationId),
  amountInMind: (interest: ProjectInterestRow) => moneyFromFen(interest.amountInMindFen),
  provenance: provenanceOf,
};

export const projectInterestFields = {
  interests: ({ id }: { id: string }, args: InterestArgs, context: JiangsuContext) =>
    interestsOfProject(context, id, args.includeWithdrawn ?? false),
};

export const organizationInterestFields = {
  interests: (organization: OrganizationRow, args: InterestArgs, context: JiangsuContext) =>
    interestsOfOrganization(context, organization.id, args.includeWithdrawn ?? false),
};
