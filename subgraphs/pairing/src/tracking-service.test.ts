import { describe, expect, it } from 'vitest';
import type { OrganizationKind } from '@hub/common';
import type { TrackedProjectRow } from './store/tracking-store.ts';
import { coverage, organizationRule, periodFigures, shareReached, type KindOf, type TrackingInputs } from './tracking-service.ts';

const project = (overrides: Partial<TrackedProjectRow>): TrackedProjectRow => ({
  agreementId: 'a',
  projectId: 'p',
  ceremonyId: 'c-itemized',
  countyCode: '610927',
  prefectureCode: '610900',
  field: 'EDUCATION',
  focusPosition: null,
  raisedByOrganizationId: null,
  matchedOrganizationId: null,
  signedYear: 2018,
  packageSignatoryIds: [],
  ...overrides,
});

const kinds: Record<string, OrganizationKind> = {
  'js-a': 'FOUNDATION',
  'js-b': 'ASSOCIATION',
  'js-gov': 'GOVERNMENT_OFFICE',
  'sn-a': 'VOLUNTEER_GROUP',
  'sn-gov': 'GOVERNMENT_OFFICE',
};
const kindOf: KindOf = (_, id) => kinds[id] ?? null;

const inputs = (overrides: Partial<TrackingInputs>): TrackingInputs => ({ projects: [], declared: [], funding: [], kindOf, targets: [], ...overrides });

describe('shareReached', () => {
  it('is actual / target to four places, half up, and null without a target or with a target of 0', () => {
    expect(shareReached(2, 3)).toBe(0.6667);
    expect(shareReached(1, 3)).toBe(0.3333);
    expect(shareReached(1, 8)).toBe(0.125);
    expect(shareReached(1, 20_000)).toBe(0.0001); // 0.00005 rounds up
    expect(shareReached(1, 20_001)).toBe(0);
    expect(shareReached(7, 5)).toBe(1.4);
    expect(shareReached(5, null)).toBeNull();
    expect(shareReached(5, 0)).toBeNull();
  });

  it('stays exact for money beyond 2^53 fen', () => {
    // 2^60 − 1 of 20,000 × 2^60 is a hair under 0.00005 and rounds down; as floats the 1 is lost,
    // the quotient is exactly 0.00005, and it would round up.
    expect(shareReached(2n ** 60n - 1n, 20_000n * 2n ** 60n)).toBe(0);
    expect(shareReached(2n ** 60n, 20_000n * 2n ** 60n)).toBe(0.0001);
    expect(shareReached(2n ** 62n, 3n * 2n ** 62n)).toBe(0.3333);
  });
});

describe('periodFigures', () => {
  it('counts a county or organization found both itemized and declared once, as itemized', () => {
    const figures = periodFigures(
      2017,
      inputs({
        projects: [project({ projectId: 'p1', countyCode: '610622', matchedOrganizationId: 'js-a', signedYear: 2017 })],
        declared: [
          {
            agreementId: 'a',
            ceremony: { heldOn: '2017-12-28', declaredProjectCount: 15, declaredTotalFen: 650_000_000n } as never,
            countyCodes: ['610622', '611024'],
            signatories: [
              { id: 'js-a', province: 'JIANGSU' },
              { id: 'js-b', province: 'JIANGSU' },
              { id: 'js-gov', province: 'JIANGSU' },
            ],
          },
        ],
      }),
    );
    expect(figures.countiesReached).toMatchObject({ actual: 2, itemized: 1, declared: 1 });
    expect(figures.jiangsuOrganizations).toMatchObject({ actual: 2, itemized: 1, declared: 1 });
    expect(figures.projectsSigned).toMatchObject({ actual: 16, itemized: 1, declared: 15 });
    expect(figures.committed).toMatchObject({ actual: 650_000_000n, itemized: 0n, declared: 650_000_000n });
    // Declared figures never enter a breakdown.
    expect(figures.byCounty).toEqual([{ key: '610622', figures: { projectsSigned: 1, committedFen: 0n, disbursedFen: 0n } }]);
  });

  it('counts a declared ceremony only for what the hub does not itemize of it: a project recorded in its batch is one of its own', () => {
    const ceremony = { id: '2017-12-28-xian', heldOn: '2017-12-28', declaredProjectCount: 15, declaredTotalFen: 650_000_000n };
    const declared = {
      agreementId: 'a',
      ceremony: ceremony as never,
      countyCodes: [],
      signatories: [],
    };
    const figures = periodFigures(
      null,
      inputs({
        projects: [
          // Two of its 15, recorded in the hub and signed; one scheduled into it and never signed.
          project({ projectId: 'p1', ceremonyId: '2017-12-28-xian', signedYear: 2017 }),
          project({ projectId: 'p2', ceremonyId: '2017-12-28-xian', signedYear: 2018 }),
          project({ projectId: 'p3', ceremonyId: '2017-12-28-xian', signedYear: null }),
          // Signed at another ceremony: takes nothing from the declared figures.
          project({ projectId: 'p4', ceremonyId: 'c-itemized', signedYear: 2018 }),
        ],
        declared: [declared],
        funding: [
          { projectId: 'p1', organizationId: 'js-a', kind: 'COMMITMENT', year: 2017, fen: 100_000_000n },
          { projectId: 'p2', organizationId: 'js-a', kind: 'COMMITMENT', year: 2018, fen: 50_000_000n },
          { projectId: 'p2', organizationId: 'js-a', kind: 'DISBURSEMENT', year: 2018, fen: 20_000_000n },
          { projectId: 'p4', organizationId: 'js-a', kind: 'COMMITMENT', year: 2018, fen: 7_000_000n },
        ],
      }),
    );
    // 15 declared − 2 itemized = 13; 6,500,000 − 1,000,000 − 500,000 yuan = 5,000,000 yuan.
    expect(figures.projectsSigned).toMatchObject({ actual: 16, itemized: 3, declared: 13 });
    expect(figures.committed).toMatchObject({ actual: 657_000_000n, itemized: 157_000_000n, declared: 500_000_000n });

    // More itemized than declared takes the declared figures to zero, not below.
    const over = periodFigures(
      null,
      inputs({
        projects: [project({ projectId: 'p1', ceremonyId: '2017-12-28-xian', signedYear: 2017 })],
        declared: [{ ...declared, ceremony: { ...ceremony, declaredProjectCount: 0, declaredTotalFen: 0n } as never }],
        funding: [{ projectId: 'p1', organizationId: 'js-a', kind: 'COMMITMENT', year: 2017, fen: 1n }],
      }),
    );
    expect(over.projectsSigned).toMatchObject({ actual: 1, itemized: 1, declared: 0 });
    expect(over.committed).toMatchObject({ actual: 1n, itemized: 1n, declared: 0n });
  });

  it('takes money by the year it was recorded, and shows a slice with money but no signing in the period', () => {
    const figures = periodFigures(
      2019,
      inputs({
        projects: [project({ projectId: 'p1', signedYear: 2018, matchedOrganizationId: 'js-a', focusPosition: 2 })],
        funding: [
          { projectId: 'p1', organizationId: 'js-b', kind: 'COMMITMENT', year: 2019, fen: 500n },
          { projectId: 'p1', organizationId: 'js-b', kind: 'COMMITMENT', year: 2018, fen: 7n },
          { projectId: 'p1', organizationId: 'js-b', kind: 'DISBURSEMENT', year: 2019, fen: 200n },
          { projectId: 'elsewhere', organizationId: 'js-b', kind: 'COMMITMENT', year: 2019, fen: 1_000n },
        ],
      }),
    );
    expect(figures.projectsSigned.actual).toBe(0);
    expect(figures.committed.itemized).toBe(500n);
    expect(figures.disbursed.itemized).toBe(200n);
    // js-b committed in 2019; js-a was matched with a project signed in 2018.
    expect(figures.jiangsuOrganizations).toMatchObject({ itemized: 1 });
    expect(figures.byOrganization).toEqual([{ key: 'js-b', figures: { projectsSigned: 0, committedFen: 500n, disbursedFen: 200n } }]);
    expect(figures.byFocus).toEqual([{ key: 2, figures: { projectsSigned: 0, committedFen: 500n, disbursedFen: 200n } }]);
  });
});

describe('coverage and the organization rule', () => {
  const counties = [
    { code: '610001', povertyCounty: true, deepPoverty: true, revolutionaryOldArea: null },
    { code: '610002', povertyCounty: true, deepPoverty: null, revolutionaryOldArea: true },
    { code: '610003', povertyCounty: null, deepPoverty: null, revolutionaryOldArea: false },
    { code: '610004', povertyCounty: true, deepPoverty: false, revolutionaryOldArea: true },
  ];

  it('counts known counties reached, by declaration only, and the unknown apart', () => {
    const result = coverage(
      [project({ countyCode: '610001' }), project({ countyCode: '610003' }), project({ countyCode: '610004', signedYear: null })],
      [{ agreementId: 'a', ceremony: {} as never, countyCodes: ['610002', '610001'], signatories: [] }],
      counties,
    );
    expect(result.povertyCounties).toEqual({ known: 3, reached: 2, reachedByDeclarationOnly: 1, unknown: 1, reachedAmongUnknown: 1, reachedCounties: ['610001', '610002'] });
    expect(result.deepPovertyCounties).toEqual({ known: 1, reached: 1, reachedByDeclarationOnly: 0, unknown: 2, reachedAmongUnknown: 2, reachedCounties: ['610001'] });
    // A county known not to be of the kind (610003's false) is neither known nor unknown.
    expect(result.revolutionaryOldAreaCounties).toEqual({ known: 2, reached: 1, reachedByDeclarationOnly: 1, unknown: 1, reachedAmongUnknown: 1, reachedCounties: ['610002'] });
  });

  it('counts distinct social organizations of both provinces per poverty county, largest shortfall first', () => {
    const rule = organizationRule(
      [
        project({ countyCode: '610001', matchedOrganizationId: 'js-a', raisedByOrganizationId: 'sn-a', packageSignatoryIds: ['sn-a', 'sn-gov'] }),
        project({ countyCode: '610001', matchedOrganizationId: 'js-gov', raisedByOrganizationId: 'sn-gov' }),
        project({ countyCode: '610002', matchedOrganizationId: 'js-b', signedYear: null }),
        project({ countyCode: '610004', matchedOrganizationId: 'js-b' }),
      ],
      counties,
      kindOf,
    );
    expect(rule).toEqual({
      minimum: 5,
      countiesMeeting: 0,
      countiesShort: [
        { countyCode: '610002', organizations: 0, short: 5 },
        { countyCode: '610004', organizations: 1, short: 4 },
        { countyCode: '610001', organizations: 2, short: 3 },
      ],
    });
  });
});
