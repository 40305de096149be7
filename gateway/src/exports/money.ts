import { formatYuan } from '@hub/common';

const YUAN = /^(-?)(\d+)\.(\d{2})$/;

/**
 * The exact fen of a `Money.yuan` string ("6500000.00"), which the graph always gives with two
 * places: an export reads money as yuan, never as `fen` (null beyond 2^53 − 1), and sums it
 * as BigInt, so a sum of 10^12 fen or far beyond stays exact.
 */
export function fenOfYuan(yuan: string): bigint {
  const parts = YUAN.exec(yuan);
  if (!parts) throw new Error(`"${yuan}" is not an amount in yuan with two places`);
  const fen = BigInt(parts[2]!) * 100n + BigInt(parts[3]!);
  return parts[1] ? -fen : fen;
}

/** Yuan with two places, from exact fen, by integer arithmetic: what IATI values and CSV cells carry. */
export const yuanOfFen = formatYuan;

/**
 * The yuan of `fen` as a JSON or spreadsheet number, for formats whose amounts must be
 * numbers (360Giving's `amountAwarded`, a summable XLSX cell). A double carries every decimal
 * of up to 15 significant digits and prints back as the same digits, so the number is built
 * from the exact decimal and checked to print back as it: 10^13 yuan less one fen and below
 * always do; anything that would not is refused rather than rounded.
 */
export function yuanNumber(fen: bigint): number {
  const exact = formatYuan(fen);
  const number = Number(exact);
  const printed = exact.replace(/\.?0+$/, '');
  if (String(number) !== (printed === '' || printed === '-' ? '0' : printed)) {
    throw new RangeError(`${exact} yuan cannot be written as a number exactly`);
  }
  return number;
}
