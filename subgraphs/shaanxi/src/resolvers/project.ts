import { moneyFromFen, provenanceOf } from '@hub/common';
import type { GraphQLResolveInfo } from 'graphql';
import { asksFor, referenceResolver } from '@hub/server';
import type { ShaanxiContext, ShaanxiLoaders } from '../loaders.ts';
import type { ProjectNeedRow } from '../store/shaanxi-store.ts';

/** The money a project's account holds, which a need read with its account has at hand. */
const ACCOUNT_FIELDS = ['received', 'spent'];

/** The loader of needs for a field returning projects: one that reads their accounts too where their money is asked. */
export function needLoader(loaders: ShaanxiLoaders, info: GraphQLResolveInfo) {
  return asksFor(info, 'Project', ACCOUNT_FIELDS) ? loaders.projectWithAccount : loaders.project;
}

export const Project = {
  /** A reference may carry what another subgraph required (Jiangsu's disbursements); keep it beside the row. */
  __resolveReference: referenceResolver(async (reference: { id: string }, { loaders }: ShaanxiContext, info) => {
    const row = await needLoader(loaders, info).load(reference.id.toLowerCase());
    return row ? { ...reference, ...row } : null;
  }),
  async county(project: ProjectNeedRow, _: unknown, { loaders }: ShaanxiContext) {
    const county = await loaders.county.load(project.countyCode);
    if (!county) throw new Error(`project ${project.id} names missing county ${project.countyCode}`);
    return county;
  },
  raisedBy: (project: ProjectNeedRow, _: unknown, { loaders }: ShaanxiContext) =>
    project.raisedByOrganizationId ? loaders.organization.load(project.raisedByOrganizationId) : null,
  amountSought: (project: ProjectNeedRow) => moneyFromFen(project.amountSoughtFen),
  needVersion: (project: ProjectNeedRow) => project.version,
  provenance: provenanceOf,
};
