import { describe, expect, it } from 'vitest';
import { fundingFit, stillSought, type FundingFacts } from './funding-fit.ts';

const ANKANG = { code: '610900', nameZh: '安康市', namePinyin: 'Ankang' };
const CHANGZHOU = { cityNameZh: '常州市', cityNamePinyin: 'Changzhou', shaanxiPrefectureCode: '610900' };
const facts = (over: Partial<FundingFacts> = {}): FundingFacts => ({
  amountSoughtFen: 30_000_000n,
  pledgedFen: 0n,
  committedFen: 0n,
  prefecture: ANKANG,
  pairing: null,
  ...over,
});

describe('the Jiangsu part of a match', () => {
  it('takes what is still sought as the amount less the larger of pledged and committed, never below zero', () => {
    expect(stillSought(facts({ pledgedFen: 10_000_000n, committedFen: 4_000_000n }))).toBe(20_000_000n);
    expect(stillSought(facts({ pledgedFen: 4_000_000n, committedFen: 10_000_000n }))).toBe(20_000_000n);
    expect(stillSought(facts({ pledgedFen: 40_000_000n }))).toBe(0n);
    expect(stillSought(facts({ amountSoughtFen: null }))).toBeNull();
  });

  it('counts the pairing of the criteria city with the project prefecture', () => {
    expect(fundingFit(facts({ pairing: CHANGZHOU }), {}).parts).toEqual([
      { code: 'PAIRED_CITY', points: 20, zh: '结对城市：常州 → 安康', en: 'paired city: Changzhou → Ankang' },
    ]);
    expect(fundingFit(facts({ pairing: { ...CHANGZHOU, shaanxiPrefectureCode: '610100' } }), {}).points).toBe(0);
  });

  it('fits the grant range, capped by the yearly budget, and names the bound a gap is above', () => {
    const range = { smallestGrantFen: 10_000_000, largestGrantFen: 50_000_000 };
    expect(fundingFit(facts(), range).parts).toEqual([
      { code: 'GRANT_RANGE', points: 15, zh: '缺口 30 万元，在您的单笔范围内', en: 'gap 300,000 yuan fits your grant range' },
    ]);
    // Both ends belong to the range.
    expect(fundingFit(facts({ amountSoughtFen: 10_000_000n }), range).points).toBe(15);
    expect(fundingFit(facts({ amountSoughtFen: 50_000_000n }), range).points).toBe(15);
    expect(fundingFit(facts({ amountSoughtFen: 9_999_999n }), range).parts).toEqual([]);
    expect(fundingFit(facts({ amountSoughtFen: 50_000_001n }), range).parts[0]).toMatchObject({
      code: 'PARTIAL_GRANT',
      points: 5,
      zh: '缺口 50.000001 万元，超出您的单笔上限，可资助其中一部分',
      en: 'gap 500,000.01 yuan is above your largest grant: you could fund part of it',
    });
    // A budget below the largest grant is the cap, and the reason says so.
    expect(fundingFit(facts(), { ...range, yearlyBudgetFen: 20_000_000 }).parts[0]).toMatchObject({
      code: 'PARTIAL_GRANT',
      en: 'gap 300,000 yuan is above your yearly budget: you could fund part of it',
    });
    expect(fundingFit(facts(), { yearlyBudgetFen: 20_000_000 }).parts[0]).toMatchObject({ code: 'PARTIAL_GRANT', zh: '缺口 30 万元，超出您的年度预算，可资助其中一部分' });
  });

  it('has no money part when no range is stated, the amount is unknown, or nothing is still sought', () => {
    expect(fundingFit(facts(), {}).parts).toEqual([]);
    expect(fundingFit(facts({ amountSoughtFen: null }), { largestGrantFen: 1 }).parts).toEqual([]);
    expect(fundingFit(facts({ pledgedFen: 30_000_000n }), { largestGrantFen: 50_000_000 }).parts).toEqual([]);
  });
});
