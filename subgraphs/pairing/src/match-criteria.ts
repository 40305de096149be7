import {
  checkStatedCriteria,
  ErrorCode,
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
/**
 * A giving profile as `@requires` brings it in an entity representation. A nullable field may
 * be left out when it is null (Hive Gateway with its Rust query planner leaves nulls out; Apollo
 * Gateway sends them): absent reads as null.
 */
export interface RequiredProfile {
  organizationId: string;
  fields: ProjectField[];
  preferredPrefectures: { code: string }[];
  preferredCounties: { code: string }[];
  pairedCity?: { code: string } | null;
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  yearlyBudget?: { fen: number } | null;
  smallestGrant?: { fen: number } | null;
  largestGrant?: { fen: number } | null;
  reportingLanguages: ReportingLanguage[];
}

/**
 * Criteria given inline, checked as a giving profile is (`checkStatedCriteria`), and a Jiangsu
 * city for the pairing. A well-formed code that names no place simply matches nothing.
 */
export function cleanCriteria(input: MatchCriteriaInput): MatchCriteria {
  const checked = checkStatedCriteria(input, {
    fields: 'criteria.fields',
    prefectureCodes: 'criteria.prefectureCodes',
    countyCodes: 'criteria.countyCodes',
    yearlyBudget: 'criteria.yearlyBudget',
    smallestGrant: 'criteria.smallestGrant',
    largestGrant: 'criteria.largestGrant',
    reportingLanguages: 'criteria.reportingLanguages',
  });
  const city = input.pairedWithCityCode ?? null;
  if (city !== null && !/^32(?!00)\d{2}00$/.test(city)) {
    throw userError(ErrorCode.BadUserInput, `criteria.pairedWithCityCode must be a Jiangsu prefecture-level city code (32xx00, e.g. "320400"); got ${JSON.stringify(city)}.`, {
      field: 'criteria.pairedWithCityCode',
    });
  }
  return {
    ...checked,
    pairedWithCityCode: city,
    prioritizeDeepPoverty: input.prioritizeDeepPoverty,
    prioritizeRevolutionaryOldArea: input.prioritizeRevolutionaryOldArea,
  };
}

/** A profile Jiangsu checked when it was set: taken as it is. */
export function criteriaOfProfile(profile: RequiredProfile): MatchCriteria {
  const fen = (money: { fen: number } | null | undefined) => (money == null ? null : BigInt(money.fen));
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

