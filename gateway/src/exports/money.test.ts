import { describe, expect, it } from 'vitest';
import { fenOfYuan, yuanNumber, yuanOfFen } from './money.ts';

/** Money in the exports: exact fen from the graph's yuan, exact yuan back, numbers only where they are exact. */
describe('money in the exports', () => {
  it('reads the graph’s yuan as exact fen, at 1 fen, 10^12 fen and beyond 2^53', () => {
    expect(fenOfYuan('0.01')).toBe(1n);
    expect(fenOfYuan('10000000000.00')).toBe(10n ** 12n);
    expect(fenOfYuan('90071992547409.93')).toBe(2n ** 53n + 1n);
    expect(fenOfYuan('-12.30')).toBe(-1230n);
  });

  it('refuses anything but yuan with two places', () => {
    for (const bad of ['1.5', '1', '1e3', '', '0.001', ' 1.00', '１.00']) expect(() => fenOfYuan(bad), bad).toThrow();
  });

  it('writes fen as yuan with two places by integer arithmetic', () => {
    expect(yuanOfFen(1n)).toBe('0.01');
    expect(yuanOfFen(10n ** 12n)).toBe('10000000000.00');
    expect(yuanOfFen(2n ** 53n + 1n)).toBe('90071992547409.93');
    expect(yuanOfFen(0n)).toBe('0.00');
  });

  it('gives a number only when it prints back as the exact yuan, and refuses one that would not', () => {
    expect(yuanNumber(1n)).toBe(0.01);
    expect(String(yuanNumber(10n ** 12n + 1n))).toBe('10000000000.01');
    expect(String(yuanNumber(999_999_999_999_999n))).toBe('9999999999999.99');
    expect(String(yuanNumber(123_456_70n))).toBe('123456.7');
    expect(yuanNumber(0n)).toBe(0);
    // Past 15 significant digits a double may not carry them: 2^53 + 1 fen would print as ….94.
    expect(() => yuanNumber(2n ** 53n + 1n)).toThrow(RangeError);
    expect(() => yuanNumber(123_456_789_012_345_678n)).toThrow(RangeError);
  });
});
