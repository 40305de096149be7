/**
 * Money is integer fen (分, 1/100 yuan) end to end: `bigint` in Postgres and in code, never a
 * float. In GraphQL it is an object with the exact fen amount and a decimal yuan string.
 */
export interface Money {
  fen: number;
  yuan: string;
  currency: 'CNY';
}

/** Largest amount the graph exposes in `Money.fen` (the `SafeInt` range). */
export const MAX_SAFE_FEN = BigInt(Number.MAX_SAFE_INTEGER);

export function moneyFromFen(fen: bigint | number | string | null | undefined): Money | null {
  if (fen === null || fen === undefined) return null;
  const value = BigInt(fen);
  if (value > MAX_SAFE_FEN || value < -MAX_SAFE_FEN) {
    throw new RangeError(`amount of ${value} fen is outside the exact range of Money`);
  }
  return { fen: Number(value), yuan: formatYuan(value), currency: 'CNY' };
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
