import {
  ErrorCode,
  positiveFen,
  userError,
  type CriteriaShape,
  type MoneyInput,
  type ProjectField,
  type ReportingLanguage,
} from '@hub/common';

/** What a foundation funds, however it was given: a giving profile or criteria inline. */
export type MatchCriteria = CriteriaShape;

/** `MatchCriteriaInput` as GraphQL hands it over, defaults applied. */
export interface MatchCriteriaInput {
  fields: ProjectField[];
  prefectureCodes: string[];
  countyCodes: string[];
  pairedWithCityCode?: string | null;
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  yearlyBudget?: MoneyInput | null;
  smallestGrant?: MoneyInput | null;
  largestGrant?: MoneyInput | null;
  reportingLanguages: ReportingLanguage[];
}

/** A giving profile as `@requires` brings it from Jiangsu (docs/decisions/0026-matching.md). */
export interface RequiredProfile {
  organizationId: string;
  fields: ProjectField[];
  preferredPrefectures: { code: string }[];
  preferredCounties: { code: string }[];
  pairedCity: { code: string } | null;
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  yearlyBudget: { fen: number } | null;
  smallestGrant: { fen: number } | null;
  largestGrant: { fen: number } | null;
  reportingLanguages: ReportingLanguage[];
}

const MAX_PREFECTURES = 10;
const MAX_COUNTIES = 50;

const badInput = (field: string, message: string) =>
  userError(ErrorCode.BadUserInput, `${field}: ${message}`, { field });

/**
 * Criteria given inline, checked as a giving profile is: Shaanxi codes for places, a Jiangsu
 * city for the pairing, amounts above zero within the entry limit, a range that is one, and a
 * language to report in. A well-formed code that names no place simply matches nothing.
 */
export function cleanCriteria(input: MatchCriteriaInput): MatchCriteria {
  const prefectureCodes = distinct(input.prefectureCodes);
  const countyCodes = distinct(input.countyCodes);
  if (prefectureCodes.length > MAX_PREFECTURES) throw badInput('criteria.prefectureCodes', `at most ${MAX_PREFECTURES} prefectures.`);
  if (countyCodes.length > MAX_COUNTIES) throw badInput('criteria.countyCodes', `at most ${MAX_COUNTIES} counties.`);
  prefectureCodes.forEach((code, index) => {
    if (!/^61\d{2}00$/.test(code)) throw badInput(`criteria.prefectureCodes[${index}]`, `${code} is not a Shaanxi prefecture-level code (61xx00).`);
  });
  countyCodes.forEach((code, index) => {
    if (!/^61\d{4}$/.test(code) || code.endsWith('00')) {
      throw badInput(`criteria.countyCodes[${index}]`, `${code} is not a Shaanxi county-level code.`);
    }
  });
  const city = input.pairedWithCityCode ?? null;
  if (city !== null && !/^32\d{2}00$/.test(city)) {
    throw badInput('criteria.pairedWithCityCode', `${city} is not a Jiangsu prefecture-level city code (32xx00).`);
  }
  const amount = (value: MoneyInput | null | undefined, field: string) => (value ? positiveFen(value, `criteria.${field}`) : null);
  const smallestGrantFen = amount(input.smallestGrant, 'smallestGrant');
  const largestGrantFen = amount(input.largestGrant, 'largestGrant');
  if (smallestGrantFen !== null && largestGrantFen !== null && smallestGrantFen > largestGrantFen) {
    throw badInput('criteria.largestGrant', 'the largest grant is below the smallest.');
  }
  if (input.reportingLanguages.length === 0) throw badInput('criteria.reportingLanguages', 'name at least one language.');
  return {
    fields: distinct(input.fields),
    prefectureCodes,
    countyCodes,
    pairedWithCityCode: city,
    prioritizeDeepPoverty: input.prioritizeDeepPoverty,
    prioritizeRevolutionaryOldArea: input.prioritizeRevolutionaryOldArea,
    yearlyBudgetFen: amount(input.yearlyBudget, 'yearlyBudget'),
    smallestGrantFen,
    largestGrantFen,
    reportingLanguages: distinct(input.reportingLanguages),
  };
}

/** A profile Jiangsu checked when it was set: taken as it is. */
export function criteriaOfProfile(profile: RequiredProfile): MatchCriteria {
  const fen = (money: { fen: number } | null) => (money === null ? null : BigInt(money.fen));
  return {
    fields: profile.fields,
    prefectureCodes: profile.preferredPrefectures.map((prefecture) => prefecture.code),
    countyCodes: profile.preferredCounties.map((county) => county.code),
    pairedWithCityCode: profile.pairedCity?.code ?? null,
    prioritizeDeepPoverty: profile.prioritizeDeepPoverty,
    prioritizeRevolutionaryOldArea: profile.prioritizeRevolutionaryOldArea,
    yearlyBudgetFen: fen(profile.yearlyBudget),
    smallestGrantFen: fen(profile.smallestGrant),
    largestGrantFen: fen(profile.largestGrant),
    reportingLanguages: profile.reportingLanguages,
  };
}

const distinct = <T>(values: readonly T[]): T[] => [...new Set(values)];
