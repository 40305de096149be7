import { moneyFromFen, provenanceOf } from '@hub/common';
import type { ShaanxiContext } from '../loaders.ts';
import type { ProjectNeedRow } from '../store/shaanxi-store.ts';

export const Project = {
  __resolveReference: ({ id }: { id: string }, { loaders }: ShaanxiContext) => loaders.project.load(id.toLowerCase()),
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
