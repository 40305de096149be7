import { requirePairingService } from '@hub/common';
import type { ShaanxiContext } from '../loaders.ts';
import { needFit, type NeedCriteria } from '../need-fit.ts';
import type { ProjectNeedRow } from '../store/shaanxi-store.ts';

/** The Shaanxi part of a match's score, for the pairing subgraph ranking matches (docs/decisions/0026). */
export const projectMatchingFields = {
  async needFit(project: ProjectNeedRow, { criteria }: { criteria: NeedCriteria }, { identity, loaders }: ShaanxiContext) {
    requirePairingService(identity, 'score needs for matching');
    const county = await loaders.county.load(project.countyCode);
    const prefecture = county ? await loaders.prefecture.load(county.prefectureCode) : null;
    if (!county || !prefecture) throw new Error(`project ${project.id} names missing county ${project.countyCode}`);
    return needFit(project, county, prefecture, criteria);
  },
};
