import type { ProjectField } from './domain.ts';
import { ErrorCode, userError } from './errors.ts';
import type { MoneyInput } from './ledger.ts';
import type { ReportingLanguage } from './match-reasons.ts';
import { formatYuan, MAX_ENTRY_FEN } from './money.ts';

/** The most preferred prefectures criteria name: Shaanxi has ten prefecture-level cities. */
export const MAX_PREFERRED_PREFECTURES = 10;
/** The most preferred counties criteria name: enough to name every county of two prefectures. */
export const MAX_PREFERRED_COUNTIES = 50;

/** A Shaanxi prefecture-level code: 61, a city number that is not 00, then 00 ("610900"). */
const SHAANXI_PREFECTURE = /^61(?!00)[0-9]{2}00$/;
/** A Shaanxi county-level code: 61, a city number that is not 00, a county number that is not 00 ("610927"). */
const SHAANXI_COUNTY = /^61(?!00)[0-9]{2}(?!00)[0-9]{2}$/;

/**
 * What a giving profile states, checked, amounts in fen: the profile row, each of its version
 * rows and the demo's profiles hold the same.
 */
export interface GivingProfileContent {
  fields: ProjectField[];
  preferredPrefectureCodes: string[];
  preferredCountyCodes: string[];
  countPairedCity: boolean;
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  yearlyBudgetFen: bigint | null;
  smallestGrantFen: bigint | null;
  largestGrantFen: bigint | null;
  reportingLanguages: ReportingLanguage[];
  public: boolean;
}

/** What a foundation funds, as a giving profile and inline criteria both state it. */
export interface StatedCriteria {
  fields: ProjectField[];
  prefectureCodes: string[];
  countyCodes: string[];
  yearlyBudget?: MoneyInput | null;
  smallestGrant?: MoneyInput | null;
  largestGrant?: MoneyInput | null;
  reportingLanguages: ReportingLanguage[];
}

export interface CheckedCriteria {
  fields: ProjectField[];
  prefectureCodes: string[];
  countyCodes: string[];
  yearlyBudgetFen: bigint | null;
  smallestGrantFen: bigint | null;
  largestGrantFen: bigint | null;
  reportingLanguages: ReportingLanguage[];
}

/** How the caller's input names each part, for errors: `input.preferredCountyCodes` or `criteria.countyCodes`. */
export interface CriteriaFieldNames {
  fields: string;
  prefectureCodes: string;
  countyCodes: string;
  yearlyBudget: string;
  smallestGrant: string;
  largestGrant: string;
  reportingLanguages: string;
}

/**
 * The checks a giving profile and inline criteria share (docs/decisions/0026-matching.md), each
 * refusal a BAD_USER_INPUT naming its field: Shaanxi codes of the right level and not too many,
 * amounts of 1 fen to one entry's limit, a grant range that is one, at least one language, and
 * no entry named twice (refused rather than dropped, so what is used is what was sent).
 */
export function checkStatedCriteria(input: StatedCriteria, names: CriteriaFieldNames): CheckedCriteria {
  refuseRepeats(input.fields, names.fields, 'field');
  const prefectureCodes = checkedCodes(input.prefectureCodes, {
    field: names.prefectureCodes,
    max: MAX_PREFERRED_PREFECTURES,
    pattern: SHAANXI_PREFECTURE,
    what: 'a Shaanxi prefecture-level code (61xx00, e.g. "610900")',
    entity: 'prefecture-level city',
  });
  const countyCodes = checkedCodes(input.countyCodes, {
    field: names.countyCodes,
    max: MAX_PREFERRED_COUNTIES,
    pattern: SHAANXI_COUNTY,
    what: 'a Shaanxi county-level code (61xxxx not ending in 00, e.g. "610927")',
    entity: 'county',
  });
  const yearlyBudgetFen = criteriaFen(input.yearlyBudget, names.yearlyBudget);
  const smallestGrantFen = criteriaFen(input.smallestGrant, names.smallestGrant);
  const largestGrantFen = criteriaFen(input.largestGrant, names.largestGrant);
  if (smallestGrantFen !== null && largestGrantFen !== null && smallestGrantFen > largestGrantFen) {
    throw userError(
      ErrorCode.BadUserInput,
      `${names.smallestGrant} (${formatYuan(smallestGrantFen)} yuan) must not be above ${names.largestGrant} (${formatYuan(largestGrantFen)} yuan).`,
      { field: names.smallestGrant },
    );
  }
  if (smallestGrantFen !== null && yearlyBudgetFen !== null && smallestGrantFen > yearlyBudgetFen) {
    throw userError(
      ErrorCode.BadUserInput,
      `${names.smallestGrant} (${formatYuan(smallestGrantFen)} yuan) must not be above ${names.yearlyBudget} (${formatYuan(yearlyBudgetFen)} yuan).`,
      { field: names.smallestGrant },
    );
  }
  if (input.reportingLanguages.length === 0) {
    throw userError(ErrorCode.BadUserInput, `${names.reportingLanguages} must name at least one language reports may be written in.`, {
      field: names.reportingLanguages,
    });
  }
  refuseRepeats(input.reportingLanguages, names.reportingLanguages, 'language');
  return {
    fields: input.fields,
    prefectureCodes,
    countyCodes,
    yearlyBudgetFen,
    smallestGrantFen,
    largestGrantFen,
    reportingLanguages: input.reportingLanguages,
  };
}

function checkedCodes(codes: string[], rule: { field: string; max: number; pattern: RegExp; what: string; entity: string }): string[] {
  if (codes.length > rule.max) {
    throw userError(ErrorCode.BadUserInput, `${rule.field} names ${codes.length} places; at most ${rule.max} are allowed.`, {
      field: rule.field,
    });
  }
  codes.forEach((code, index) => {
    if (!rule.pattern.test(code)) {
      throw userError(ErrorCode.BadUserInput, `${rule.field}[${index}] must be ${rule.what}; got ${JSON.stringify(code)}.`, {
        field: `${rule.field}[${index}]`,
      });
    }
  });
  refuseRepeats(codes, rule.field, rule.entity);
  return codes;
}

/** BAD_USER_INPUT naming the first entry that repeats an earlier one. */
export function refuseRepeats(values: readonly string[], field: string, what: string): void {
  const first = new Map<string, number>();
  values.forEach((value, index) => {
    const earlier = first.get(value);
    if (earlier !== undefined) {
      throw userError(
        ErrorCode.BadUserInput,
        `${field}[${index}] names the same ${what} as ${field}[${earlier}] (${JSON.stringify(value)}); name each once.`,
        { field: `${field}[${index}]` },
      );
    }
    first.set(value, index);
  });
}

/** An amount criteria state: whole fen, more than zero and within one entry's limit; null when left out. */
function criteriaFen(amount: MoneyInput | null | undefined, field: string): bigint | null {
  if (amount === null || amount === undefined) return null;
  if (!Number.isSafeInteger(amount.fen) || amount.fen < 1 || BigInt(amount.fen) > MAX_ENTRY_FEN) {
    throw userError(
      ErrorCode.BadUserInput,
      `${field}.fen must be a whole number of fen from 1 to ${MAX_ENTRY_FEN} (${formatYuan(MAX_ENTRY_FEN)} yuan); got ${amount.fen}.`,
      { field: `${field}.fen` },
    );
  }
  return BigInt(amount.fen);
}
