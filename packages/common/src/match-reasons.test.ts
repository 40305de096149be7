import { describe, expect, it } from 'vitest';
import { maxMatchScore, reasonAmount, shortCityName, type CriteriaShape } from './match-reasons.ts';

const NONE: CriteriaShape = {
  fields: [],
  prefectureCodes: [],
  countyCodes: [],
  pairedWithCityCode: null,
  prioritizeDeepPoverty: false,
  prioritizeRevolutionaryOldArea: false,
  yearlyBudgetFen: null,
  smallestGrantFen: null,
  largestGrantFen: null,
  reportingLanguages: ['ZH'],
};

describe('match reasons', () => {
  it('say amounts exactly, in 万元 and in yuan', () => {
    expect(reasonAmount(30_000_000n)).toEqual({ zh: '30 万元', en: '300,000 yuan' });
    expect(reasonAmount(12_345_678n)).toEqual({ zh: '12.345678 万元', en: '123,456.78 yuan' });
    expect(reasonAmount(1n)).toEqual({ zh: '0.000001 万元', en: '0.01 yuan' });
    expect(reasonAmount(100_000_000_000n)).toEqual({ zh: '100000 万元', en: '1,000,000,000 yuan' });
  });

  it('shorten a city name as people say it', () => {
    expect(shortCityName('常州市')).toBe('常州');
    expect(shortCityName('镇坪县')).toBe('镇坪县');
  });

  it('count the most points criteria allow', () => {
    expect(maxMatchScore(NONE)).toBe(0);
    expect(maxMatchScore({ ...NONE, fields: ['EDUCATION'], prefectureCodes: ['610900'] })).toBe(60);
    expect(maxMatchScore({ ...NONE, countyCodes: ['610927'], prefectureCodes: ['610900'] })).toBe(30);
    expect(
      maxMatchScore({
        ...NONE,
        fields: ['EDUCATION'],
        countyCodes: ['610927'],
        pairedWithCityCode: '320400',
        prioritizeDeepPoverty: true,
        prioritizeRevolutionaryOldArea: true,
        largestGrantFen: 1n,
        reportingLanguages: ['EN'],
      }),
    ).toBe(40 + 30 + 20 + 15 + 10 + 15 + 5);
  });
});
