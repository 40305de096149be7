import type { ProjectField } from './domain.ts';

/**
 * The parts of a match's score and their points (docs/decisions/0026-matching.md). Each
 * province computes its own parts; the pairing subgraph adds them and knows the most a set of
 * criteria allows.
 */
export const MATCH_POINTS = {
  FIELD: 40,
  PREFERRED_COUNTY: 30,
  PREFERRED_PREFECTURE: 20,
  PAIRED_CITY: 20,
  DEEP_POVERTY: 15,
  REVOLUTIONARY_OLD_AREA: 10,
  GRANT_RANGE: 15,
  PARTIAL_GRANT: 5,
  REPORTING_LANGUAGE: 5,
} as const;

export type MatchReasonCode = keyof typeof MATCH_POINTS;
export const MATCH_REASON_CODES = Object.keys(MATCH_POINTS) as MatchReasonCode[];

export type ReportingLanguage = 'ZH' | 'EN';

/** One part of a score, as a person reads it. */
export interface MatchPart {
  code: MatchReasonCode;
  points: number;
  zh: string;
  en: string;
}

export function matchPart(code: MatchReasonCode, zh: string, en: string): MatchPart {
  return { code, points: MATCH_POINTS[code], zh, en };
}

/** What a set of criteria asks, as far as the most points it allows depends on it. */
export interface CriteriaShape {
  fields: readonly ProjectField[];
  prefectureCodes: readonly string[];
  countyCodes: readonly string[];
  pairedWithCityCode: string | null;
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  yearlyBudgetFen: bigint | null;
  smallestGrantFen: bigint | null;
  largestGrantFen: bigint | null;
  reportingLanguages: readonly ReportingLanguage[];
}

/** The most points a project could score for these criteria. */
export function maxMatchScore(criteria: CriteriaShape): number {
  const grantRangeStated = criteria.smallestGrantFen !== null || criteria.largestGrantFen !== null || criteria.yearlyBudgetFen !== null;
  const place = criteria.countyCodes.length > 0 ? MATCH_POINTS.PREFERRED_COUNTY : criteria.prefectureCodes.length > 0 ? MATCH_POINTS.PREFERRED_PREFECTURE : 0;
  return (
    (criteria.fields.length > 0 ? MATCH_POINTS.FIELD : 0) +
    place +
    (criteria.pairedWithCityCode !== null ? MATCH_POINTS.PAIRED_CITY : 0) +
    (criteria.prioritizeDeepPoverty ? MATCH_POINTS.DEEP_POVERTY : 0) +
    (criteria.prioritizeRevolutionaryOldArea ? MATCH_POINTS.REVOLUTIONARY_OLD_AREA : 0) +
    (grantRangeStated ? MATCH_POINTS.GRANT_RANGE : 0) +
    (englishCounts(criteria.reportingLanguages) ? MATCH_POINTS.REPORTING_LANGUAGE : 0)
  );
}

/** English material counts only for a foundation that does not take Chinese reports: every need is in Chinese. */
export function englishCounts(languages: readonly ReportingLanguage[]): boolean {
  return languages.includes('EN') && !languages.includes('ZH');
}

/** Each field's name in a reason, in Chinese and English. */
export const FIELD_NAMES: Record<ProjectField, { zh: string; en: string }> = {
  LIVELIHOOD: { zh: '民生', en: 'livelihood' },
  INDUSTRY: { zh: '产业', en: 'industry' },
  TECHNOLOGY_AND_CULTURE: { zh: '技术文化', en: 'technology and culture' },
  TALENT: { zh: '人才', en: 'talent' },
  EDUCATION: { zh: '教育', en: 'education' },
  MEDICAL_AID: { zh: '医疗救助', en: 'medical aid' },
  INFRASTRUCTURE: { zh: '基础设施', en: 'infrastructure' },
  CHILD_WELFARE: { zh: '留守儿童和困境儿童', en: 'left-behind children and children in distress' },
  DISABILITY: { zh: '助残', en: 'disability' },
  OTHER: { zh: '其他', en: 'other' },
};

/**
 * An amount as a reason says it, exactly: "30 万元" and "300,000 yuan" for 30,000,000 fen;
 * "12.345678 万元" and "123,456.78 yuan" for 12,345,678 fen. Never rounded.
 */
export function reasonAmount(fen: bigint): { zh: string; en: string } {
  const wan = trimZeros(fen / 1_000_000n, fen % 1_000_000n, 6);
  const yuan = fen / 100n;
  const cents = fen % 100n;
  const grouped = yuan.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return { zh: `${wan} 万元`, en: `${grouped}${cents === 0n ? '' : `.${cents.toString().padStart(2, '0')}`} yuan` };
}

function trimZeros(whole: bigint, fraction: bigint, places: number): string {
  if (fraction === 0n) return whole.toString();
  return `${whole}.${fraction.toString().padStart(places, '0').replace(/0+$/, '')}`;
}

/** A place name as reasons write it: 常州市 → 常州, 安康市 → 安康; a county keeps its 县 or 区. */
export function shortCityName(nameZh: string): string {
  return nameZh.length > 2 && nameZh.endsWith('市') ? nameZh.slice(0, -1) : nameZh;
}
