import { moneyFromFen, provenanceOf } from '@hub/common';
import type { ShaanxiContext } from '../loaders.ts';
import type { ProjectNeedRow } from '../store/shaanxi-store.ts';

export const Project = {
  /** A reference may carry what another subgraph required (Jiangsu's disbursements); keep it beside the row. */
  async __resolveReference(reference: { id: string }, { loaders }: ShaanxiContext) {
    const row = await loaders.project.load(reference.id.toLowerCase());
    return row ? { ...reference, ...row } : null;
  },
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
