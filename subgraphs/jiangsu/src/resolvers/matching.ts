import { moneyFromFen, requirePairingService } from '@hub/common';
import { fundingFit, type FundingCriteria } from '../funding-fit.ts';
import type { JiangsuContext } from '../loaders.ts';

/** A project's representation as the pairing sends it: what `fundingFit` requires, from Shaanxi. */
export interface ProjectWithPlace {
  id: string;
  amountSought?: { fen: number } | null;
  county?: { code: string; prefecture: { code: string; nameZh: string; namePinyin: string } };
}

/** The Jiangsu part of a match's score, for the pairing subgraph ranking matches (docs/decisions/0026). */
export const projectMatchingFields = {
  async fundingFit(project: ProjectWithPlace, { criteria }: { criteria: FundingCriteria }, { identity, loaders }: JiangsuContext) {
    requirePairingService(identity, 'score funding for matching');
    if (!project.county) throw new Error(`fundingFit of project ${project.id} was asked without its county`);
    const cityCode = criteria.pairedWithCityCode ?? null;
    const [totals, pairing, city] = await Promise.all([
      loaders.totalsByProject.load(project.id.toLowerCase()),
      cityCode ? loaders.pairingByJiangsuCity.load(cityCode) : null,
      cityCode ? loaders.city.load(cityCode) : null,
    ]);
    const fit = fundingFit(
      {
        amountSoughtFen: project.amountSought ? BigInt(project.amountSought.fen) : null,
        pledgedFen: totals?.pledgedFen ?? 0n,
        committedFen: totals?.committedFen ?? 0n,
        prefecture: project.county.prefecture,
        pairing:
          pairing && city
            ? { cityNameZh: city.nameZh, cityNamePinyin: city.namePinyin, shaanxiPrefectureCode: pairing.shaanxiPrefectureCode }
            : null,
      },
      criteria,
    );
    return { ...fit, stillSought: moneyFromFen(fit.stillSoughtFen) };
  },
};
