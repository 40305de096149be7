import { describe, expect, it } from 'vitest';
import { criteriaOfProfile, type RequiredProfile } from './match-criteria.ts';

/** The demo's Taihu foundation profile, as the gateway's `@requires` fetch brings it. */
const sent: RequiredProfile = {
  organizationId: 'js-demo-taihu-health',
  fields: ['MEDICAL_AID', 'DISABILITY'],
  preferredPrefectures: [],
  preferredCounties: [{ code: '610927' }, { code: '610929' }],
  pairedCity: { code: '320200' },
  prioritizeDeepPoverty: false,
  prioritizeRevolutionaryOldArea: true,
  yearlyBudget: null,
  smallestGrant: { fen: 5_000_000 },
  largestGrant: { fen: 50_000_000 },
  reportingLanguages: ['ZH'],
};

const criteria = {
  fields: ['MEDICAL_AID', 'DISABILITY'],
  prefectureCodes: [],
  countyCodes: ['610927', '610929'],
  pairedWithCityCode: '320200',
  prioritizeDeepPoverty: false,
  prioritizeRevolutionaryOldArea: true,
  yearlyBudgetFen: null,
  smallestGrantFen: 5_000_000n,
  largestGrantFen: 50_000_000n,
  reportingLanguages: ['ZH'],
};

describe('the criteria of a giving profile brought by @requires', () => {
  it('reads the profile as Apollo Gateway sends it, its nulls given', () => {
    expect(criteriaOfProfile(sent)).toEqual(criteria);
  });

  it('reads a null field a gateway left out (Hive Gateway’s Rust query planner does) as null', () => {
    const { yearlyBudget: _left, pairedCity: _alsoLeft, ...withoutNulls } = sent;
    expect(criteriaOfProfile(withoutNulls)).toEqual({
      ...criteria,
      pairedWithCityCode: null,
    });
  });
});
