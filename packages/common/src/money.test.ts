import { describe, expect, it } from 'vitest';
import { formatYuan, moneyFromFen, yuanToFen } from './money.ts';

describe('money in fen', () => {
  it('formats fen as an exact yuan decimal', () => {
    expect(formatYuan(650_000_000n)).toBe('6500000.00');
    expect(formatYuan(1n)).toBe('0.01');
    expect(formatYuan(-105n)).toBe('-1.05');
  });

  it('keeps amounts past the 32-bit range exact (484 million yuan)', () => {
    const money = moneyFromFen(yuanToFen(484_000_000));
    expect(money).toEqual({ fen: 48_400_000_000, yuan: '484000000.00', currency: 'CNY' });
  });

  it('keeps the exact yuan of a sum that JSON numbers cannot hold, and leaves its fen null', () => {
    // 2^60 fen = 1,152,921,504,606,846,976 fen, worked out by hand.
    expect(moneyFromFen(2n ** 60n)).toEqual({ fen: null, yuan: '11529215046068469.76', currency: 'CNY' });
    expect(moneyFromFen('9007199254740991')).toEqual({ fen: 9_007_199_254_740_991, yuan: '90071992547409.91', currency: 'CNY' });
  });

  it('passes an unknown amount through as null', () => {
    expect(moneyFromFen(null)).toBeNull();
  });
});
