import { matchPart, reasonAmount, shortCityName, type MatchPart } from '@hub/common';

/** The money and pairing criteria of a match, as the pairing subgraph passes them. */
export interface FundingCriteria {
  pairedWithCityCode?: string | null;
  yearlyBudgetFen?: number | null;
  smallestGrantFen?: number | null;
  largestGrantFen?: number | null;
}

/** What of a project and its place the Jiangsu part depends on. */
export interface FundingFacts {
  amountSoughtFen: bigint | null;
  pledgedFen: bigint;
  committedFen: bigint;
  prefecture: { code: string; nameZh: string; namePinyin: string };
  /** The criteria's Jiangsu city and the Shaanxi prefecture it is paired with, when it has a pairing. */
  pairing: { cityNameZh: string; cityNamePinyin: string | null; shaanxiPrefectureCode: string } | null;
}

export interface FundingFit {
  /** Amount sought less what is pledged or committed, whichever is more; null when the amount sought is unknown. */
  stillSoughtFen: bigint | null;
  points: number;
  parts: MatchPart[];
}

/**
 * The Jiangsu part of a match's score (docs/decisions/0026-matching.md): whether the project's
 * prefecture is paired with the criteria's city, and how what it still seeks sits against the
 * grant range, capped by the yearly budget.
 */
export function fundingFit(facts: FundingFacts, criteria: FundingCriteria): FundingFit {
  const parts: MatchPart[] = [];
  if (facts.pairing && facts.pairing.shaanxiPrefectureCode === facts.prefecture.code) {
    const city = facts.pairing;
    parts.push(
      matchPart(
        'PAIRED_CITY',
        `结对城市：${shortCityName(city.cityNameZh)} → ${shortCityName(facts.prefecture.nameZh)}`,
        `paired city: ${city.cityNamePinyin ?? city.cityNameZh} → ${facts.prefecture.namePinyin}`,
      ),
    );
  }
  const stillSoughtFen = stillSought(facts);
  const grant = grantPart(stillSoughtFen, criteria);
  if (grant) parts.push(grant);
  return { stillSoughtFen, points: parts.reduce((sum, part) => sum + part.points, 0), parts };
}

/** What a project still seeks: a pledge is an intent, but a project fully pledged is spoken for. */
export function stillSought({ amountSoughtFen, pledgedFen, committedFen }: FundingFacts): bigint | null {
  if (amountSoughtFen === null) return null;
  const covered = pledgedFen > committedFen ? pledgedFen : committedFen;
  return amountSoughtFen > covered ? amountSoughtFen - covered : 0n;
}

function grantPart(stillSoughtFen: bigint | null, criteria: FundingCriteria): MatchPart | null {
  const smallest = optionalFen(criteria.smallestGrantFen);
  const largest = optionalFen(criteria.largestGrantFen);
  const budget = optionalFen(criteria.yearlyBudgetFen);
  if (stillSoughtFen === null || stillSoughtFen === 0n) return null;
  if (smallest === null && largest === null && budget === null) return null;
  // The largest grant caps what one project gets, and the yearly budget caps that.
  const cap =
    largest !== null && (budget === null || largest <= budget)
      ? { fen: largest, zh: '单笔上限', en: 'largest grant' }
      : budget !== null
        ? { fen: budget, zh: '年度预算', en: 'yearly budget' }
        : null;
  const amount = reasonAmount(stillSoughtFen);
  if (cap !== null && stillSoughtFen > cap.fen) {
    return matchPart(
      'PARTIAL_GRANT',
      `缺口 ${amount.zh}，超出您的${cap.zh}，可资助其中一部分`,
      `gap ${amount.en} is above your ${cap.en}: you could fund part of it`,
    );
  }
  if (stillSoughtFen < (smallest ?? 1n)) return null;
  return matchPart('GRANT_RANGE', `缺口 ${amount.zh}，在您的单笔范围内`, `gap ${amount.en} fits your grant range`);
}

const optionalFen = (fen: number | null | undefined): bigint | null => (fen === null || fen === undefined ? null : BigInt(fen));
