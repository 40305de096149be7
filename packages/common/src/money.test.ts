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

  it('refuses amounts that JavaScript numbers cannot hold exactly', () => {
    expect(() => moneyFromFen(2n ** 60n)).toThrow(RangeError);
  });

  it('passes an unknown amount through as null', () => {
    expect(moneyFromFen(null)).toBeNull();
  });
});
