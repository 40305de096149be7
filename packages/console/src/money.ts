/**
 * Money as the graph gives it: `yuan`, an exact decimal string, and `fen`, an integer (null only
 * beyond 2^53 − 1 fen). Nothing here is float arithmetic: sums are of BigInt fen, and figures
 * are shown from the decimal string.
 */
export interface MoneyValue {
  yuan: string;
  fen?: number | null;
}

/** The amount in fen of a decimal yuan string ("6500000", "12.5", "-3.05"). */
export function fenOfYuan(yuan: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!match) throw new Error(`not an amount of yuan: ${JSON.stringify(yuan)}`);
  const [, sign, whole, fraction = ''] = match;
  const fen = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
  return sign ? -fen : fen;
}

/** A decimal yuan string of an amount in fen, with its fen only when there are any. */
export function yuanOfFen(fen: bigint): string {
  const sign = fen < 0n ? '-' : '';
  const size = fen < 0n ? -fen : fen;
  const whole = size / 100n;
  const rest = size % 100n;
  return `${sign}${whole}${rest === 0n ? '' : `.${rest.toString().padStart(2, '0')}`}`;
}

/** The sum of amounts, exactly. */
export function sumYuan(amounts: readonly (MoneyValue | null | undefined)[]): string {
  return yuanOfFen(amounts.reduce((total, amount) => total + (amount ? fenOfYuan(amount.yuan) : 0n), 0n));
}

/** "6500000" → "6,500,000", "1234.5" → "1,234.50": grouped digits, fen shown when there are any. */
export function groupYuan(yuan: string): string {
  const fen = fenOfYuan(yuan);
  const text = yuanOfFen(fen < 0n ? -fen : fen);
  const [whole = '0', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${fen < 0n ? '−' : ''}${grouped}${fraction ? `.${fraction.padEnd(2, '0')}` : ''}`;
}
