import { GraphQLError } from 'graphql';
import { ErrorCode, userError } from './errors.ts';

/**
 * Money is integer fen (分, 1/100 yuan) end to end: `bigint` in Postgres and in code, never a
 * float. In GraphQL it is an object with the exact fen amount and a decimal yuan string.
 * `fen` is null only for an aggregate beyond the exact range of a JSON number; `yuan` is
 * always exact (docs/decisions/0012-money-limits-and-exact-sums.md).
 */
export interface Money {
  fen: number | null;
  yuan: string;
  currency: 'CNY';
}

/** Largest amount `Money.fen` can carry exactly (the `SafeInt` range, 2^53 − 1). */
export const MAX_SAFE_FEN = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The largest single ledger entry: one billion yuan. The whole 2017 pairing declared 484
 * million yuan, so one entry never needs more; the database refuses more (entry checks).
 */
export const MAX_ENTRY_FEN = 100_000_000_000n;

/**
 * The largest total one project may carry on each account column (pledged, committed,
 * disbursed, received, spent) and the largest amount a need may seek: one billion yuan.
 * 2^53 fen holds about 90,000 such projects, so sums over every project stay exact.
 */
export const MAX_PROJECT_TOTAL_FEN = 100_000_000_000n;

/** The one constructor of `Money`: any bigint, number or decimal string of fen (SQL sums are numeric). */
export function moneyFromFen(fen: bigint | number | string | null | undefined): Money | null {
  if (fen === null || fen === undefined) return null;
  const value = BigInt(fen);
  const exact = value <= MAX_SAFE_FEN && value >= -MAX_SAFE_FEN;
  return { fen: exact ? Number(value) : null, yuan: formatYuan(value), currency: 'CNY' };
}

/**
 * `Money.fen` of an amount beyond 2^53 − 1 (only a sum over very many projects can be) is
 * null with an error at its path; `yuan` and the rest of the answer stay.
 */
export const MoneyResolver = {
  fen(money: Money): number {
    if (money.fen !== null) return money.fen;
    throw amountBeyondExactRange(money.yuan);
  },
};

function amountBeyondExactRange(yuan: string): GraphQLError {
  return userError(
    ErrorCode.AmountBeyondExactRange,
    `This amount, ${yuan} yuan, is beyond the exact range of fen (2^53 − 1); read yuan, which is exact.`,
    { yuan },
  );
}

/** The refusal of an amount over one of the limits, named `ENTRY` or `PROJECT_TOTAL`. */
export function amountLimitExceeded(limit: 'ENTRY' | 'PROJECT_TOTAL', field: string, what: string): GraphQLError {
  const limitFen = limit === 'ENTRY' ? MAX_ENTRY_FEN : MAX_PROJECT_TOTAL_FEN;
  return userError(
    ErrorCode.AmountLimitExceeded,
    limit === 'ENTRY'
      ? `${field} is over the limit of ${formatYuan(limitFen)} yuan for one ${what}; nothing was recorded.`
      : `This ${what} would take the project's total over the limit of ${formatYuan(limitFen)} yuan; nothing was recorded.`,
    { limit, limitFen: Number(limitFen), field },
  );
}

export function yuanToFen(yuan: bigint | number): bigint {
  if (typeof yuan === 'number' && !Number.isSafeInteger(yuan)) {
    throw new RangeError(`yuanToFen takes whole yuan; got ${yuan}`);
  }
  return BigInt(yuan) * 100n;
}

export function formatYuan(fen: bigint): string {
  const sign = fen < 0n ? '-' : '';
  const abs = fen < 0n ? -fen : fen;
  const whole = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${sign}${whole}.${cents}`;
}
