import { describe, expect, it } from 'vitest';
import { packageProblems, runPackageChecks, type PackageFacts, type ProjectFacts } from './package-checks.ts';
import { canonicalPackageJson, packageContentHash } from './package-hash.ts';

/**
 * A hand-made world: ceremony C under one agreement. Jiangsu city 320400 (常州) is paired with
 * Shaanxi prefecture 610900 (安康), 320100 (南京) with 611000 (商洛). Organization js-cz is
 * based in 常州, js-nj in 南京, js-none in no city. Counties 610924 (紫阳) and 610927 (镇坪)
 * are in 安康, 611021 (洛南) in 商洛, 610622 (延川) in 延安 (paired with no city here).
 */
const C = 'ceremony-c';
const D = 'ceremony-d';
const P = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const scheduled = (organization: string, sought: bigint | null = 1_000_000n): ProjectFacts => ({
  stage: 'SCHEDULED',
  ceremonyId: C,
  matchedOrganizationId: organization,
  amountSoughtFen: sought,
});

function world(overrides: Partial<PackageFacts> = {}): PackageFacts {
  return {
    ceremonyId: C,
    statedTotalFen: 500_000n,
    lines: [{ position: 1, projectId: P(1), countyCode: '610924', jiangsuOrganizationId: 'js-cz', amountFen: 500_000n }],
    projects: new Map([[P(1), scheduled('js-cz')]]),
    claims: new Map(),
    organizationCities: new Map<string, string | null>([
      ['js-cz', '320400'],
      ['js-nj', '320100'],
      ['js-none', null],
    ]),
    pairings: new Map([
      ['320400', new Set(['610900'])],
      ['320100', new Set(['611000'])],
    ]),
    exceptions: [],
    ...overrides,
  };
}

const failures = (facts: PackageFacts) =>
  runPackageChecks(facts)
    .filter((result) => !result.passed)
    .map((result) => `${result.line ?? '-'} ${result.kind} ${result.code}`);

describe('package checks', () => {
  it('lists every check, passed, for a good one-line package: the package checks around the line checks', () => {
    const results = runPackageChecks(world());
    expect(results.map((result) => [result.kind, result.line, result.passed, result.code])).toEqual([
      ['NOT_EMPTY', null, true, null],
      ['SCHEDULED_AND_MATCHED', 1, true, null],
      ['ONE_PACKAGE_PER_PROJECT', 1, true, null],
      ['PAIRING_ALLOWED', 1, true, null],
      ['AMOUNT_WITHIN_NEED', 1, true, null],
      ['TOTAL_IS_SUM', null, true, null],
    ]);
    expect(results.every((result) => result.message.length > 0)).toBe(true);
  });

  it('fails an empty package as EMPTY_PACKAGE (its total 0 is its sum)', () => {
    expect(failures(world({ lines: [], statedTotalFen: 0n }))).toEqual(['- NOT_EMPTY EMPTY_PACKAGE']);
  });

  it('fails a project not at SCHEDULED, or scheduled for another ceremony, as PROJECT_NOT_SCHEDULED', () => {
    const lines = [1, 2, 3].map((n) => ({ position: n, projectId: P(n), countyCode: '610924', jiangsuOrganizationId: 'js-cz', amountFen: 1n }));
    const projects = new Map<string, ProjectFacts>([
      [P(1), { ...scheduled('js-cz'), stage: 'MATCHED', ceremonyId: null }],
      [P(2), { ...scheduled('js-cz'), ceremonyId: D }],
      // A project that left SCHEDULED keeps its batch: it is not scheduled now.
      [P(3), { ...scheduled('js-cz'), stage: 'SUSPENDED' }],
    ]);
    expect(failures(world({ lines, projects, statedTotalFen: 3n }))).toEqual([
      '1 SCHEDULED_AND_MATCHED PROJECT_NOT_SCHEDULED',
      '2 SCHEDULED_AND_MATCHED PROJECT_NOT_SCHEDULED',
      '3 SCHEDULED_AND_MATCHED PROJECT_NOT_SCHEDULED',
    ]);
  });

  it('fails a project never in the pipeline, or back at PUBLISHED, as not scheduled and not matched', () => {
    const lines = [1, 2].map((n) => ({ position: n, projectId: P(n), countyCode: '610924', jiangsuOrganizationId: 'js-cz', amountFen: 1n }));
    // P(1) has no facts at all; P(2) was matched once, then sent back to PUBLISHED.
    const projects = new Map<string, ProjectFacts>([[P(2), { stage: 'PUBLISHED', ceremonyId: null, matchedOrganizationId: 'js-cz', amountSoughtFen: 5n }]]);
    expect(failures(world({ lines, projects, statedTotalFen: 2n }))).toEqual([
      '1 SCHEDULED_AND_MATCHED PROJECT_NOT_SCHEDULED',
      '1 SCHEDULED_AND_MATCHED PROJECT_NOT_MATCHED',
      '1 AMOUNT_WITHIN_NEED NEED_STATES_NO_AMOUNT',
      '2 SCHEDULED_AND_MATCHED PROJECT_NOT_SCHEDULED',
      '2 SCHEDULED_AND_MATCHED PROJECT_NOT_MATCHED',
    ]);
  });

  it('fails a line naming another organization than the one matched as ORGANIZATION_NOT_MATCHED', () => {
    const facts = world({ projects: new Map([[P(1), scheduled('js-nj')]]) });
    expect(failures(facts)).toEqual(['1 SCHEDULED_AND_MATCHED ORGANIZATION_NOT_MATCHED']);
  });

  it('fails the later line of a project listed twice as DUPLICATE_PROJECT, and the earlier passes', () => {
    const line = { projectId: P(1), countyCode: '610924', jiangsuOrganizationId: 'js-cz', amountFen: 100n };
    const facts = world({ lines: [{ position: 1, ...line }, { position: 2, ...line }], statedTotalFen: 200n });
    expect(failures(facts)).toEqual(['2 ONE_PACKAGE_PER_PROJECT DUPLICATE_PROJECT']);
  });

  it("fails a project held by another ceremony's package as PROJECT_IN_ANOTHER_PACKAGE, but not one held by this ceremony's", () => {
    expect(failures(world({ claims: new Map([[P(1), D]]) }))).toEqual(['1 ONE_PACKAGE_PER_PROJECT PROJECT_IN_ANOTHER_PACKAGE']);
    expect(failures(world({ claims: new Map([[P(1), C]]) }))).toEqual([]);
  });

  it('allows the city pairing only, or an exception for the county or its prefecture under the agreement', () => {
    const at = (county: string, organization: string) =>
      world({
        lines: [{ position: 1, projectId: P(1), countyCode: county, jiangsuOrganizationId: organization, amountFen: 1n }],
        projects: new Map([[P(1), scheduled(organization)]]),
        statedTotalFen: 1n,
      });
    expect(failures(at('610927', 'js-cz'))).toEqual([]);
    expect(failures(at('611021', 'js-nj'))).toEqual([]);
    expect(failures(at('611021', 'js-cz'))).toEqual(['1 PAIRING_ALLOWED PAIRING_NOT_ALLOWED']);
    expect(failures(at('610622', 'js-nj'))).toEqual(['1 PAIRING_ALLOWED PAIRING_NOT_ALLOWED']);
    // An organization in no city, or one Jiangsu does not know, is paired with nothing.
    expect(failures(at('610924', 'js-none'))).toEqual(['1 PAIRING_ALLOWED PAIRING_NOT_ALLOWED']);
    expect(failures(at('610924', 'js-unknown'))).toEqual(['1 PAIRING_ALLOWED PAIRING_NOT_ALLOWED']);

    const county = { organizationId: 'js-cz', countyCode: '611021', prefectureCode: null };
    const prefecture = { organizationId: 'js-none', countyCode: null, prefectureCode: '610900' };
    const elsewhere = { organizationId: 'js-nj', countyCode: '611021', prefectureCode: null };
    expect(failures({ ...at('611021', 'js-cz'), exceptions: [county] })).toEqual([]);
    expect(failures({ ...at('610924', 'js-none'), exceptions: [prefecture] })).toEqual([]);
    expect(failures({ ...at('610927', 'js-none'), exceptions: [prefecture] })).toEqual([]);
    // An exception is for its organization and its place only.
    expect(failures({ ...at('611021', 'js-cz'), exceptions: [elsewhere, prefecture] })).toEqual(['1 PAIRING_ALLOWED PAIRING_NOT_ALLOWED']);
    expect(failures({ ...at('611022', 'js-cz'), exceptions: [county] })).toEqual(['1 PAIRING_ALLOWED PAIRING_NOT_ALLOWED']);
  });

  it('takes the amount as within the need from 1 fen up to the amount sought, and a need stating none as exceeded', () => {
    const amount = (fen: bigint, sought: bigint | null = 1_000_000n) =>
      failures(
        world({
          lines: [{ position: 1, projectId: P(1), countyCode: '610924', jiangsuOrganizationId: 'js-cz', amountFen: fen }],
          projects: new Map([[P(1), scheduled('js-cz', sought)]]),
          statedTotalFen: fen < 0n ? 0n : fen,
        }),
      ).filter((failure) => failure.includes('AMOUNT'));
    expect(amount(1n)).toEqual([]);
    expect(amount(1_000_000n)).toEqual([]);
    expect(amount(1_000_001n)).toEqual(['1 AMOUNT_WITHIN_NEED AMOUNT_OVER_NEED']);
    expect(amount(0n)).toEqual(['1 AMOUNT_WITHIN_NEED AMOUNT_NOT_POSITIVE']);
    expect(amount(-5n)).toEqual(['1 AMOUNT_WITHIN_NEED AMOUNT_NOT_POSITIVE']);
    expect(amount(1n, null)).toEqual(['1 AMOUNT_WITHIN_NEED NEED_STATES_NO_AMOUNT']);
  });

  it('fails a stated total other than the sum of the lines as TOTAL_MISMATCH, to the fen', () => {
    expect(failures(world({ statedTotalFen: 500_001n }))).toEqual(['- TOTAL_IS_SUM TOTAL_MISMATCH']);
    expect(failures(world({ statedTotalFen: 499_999n }))).toEqual(['- TOTAL_IS_SUM TOTAL_MISMATCH']);
  });

  it('names the line and its project for each failure', () => {
    const facts = world({ statedTotalFen: 1n, claims: new Map([[P(1), D]]) });
    expect(packageProblems(runPackageChecks(facts), facts.lines)).toEqual([
      // The other ceremony is not named: its package may be hidden from the reader.
      { line: 1, projectId: P(1), kind: 'ONE_PACKAGE_PER_PROJECT', code: 'PROJECT_IN_ANOTHER_PACKAGE', message: `Project ${P(1)} is in the standing package of another ceremony.` },
      { line: null, projectId: null, kind: 'TOTAL_IS_SUM', code: 'TOTAL_MISMATCH', message: expect.stringContaining('0.01') },
    ]);
  });
});

describe('package content hash', () => {
  // The canonical JSON written out by hand from the rule (keys sorted at every level, no
  // spaces, fen as strings), and its SHA-256 taken with `sha256sum`.
  const content = {
    ceremonyId: '2026-05-20-610900-1',
    version: 2,
    // Out of order on purpose: the content is the lines by position.
    lines: [
      { position: 2, projectId: P(2), countyCode: '610927', shaanxiSignatoryId: 'sn-d', jiangsuOrganizationId: 'js-c', amountFen: 100_000_000_000n },
      { position: 1, projectId: P(1), countyCode: '610924', shaanxiSignatoryId: 'sn-b', jiangsuOrganizationId: 'js-a', amountFen: 5_000_000n },
    ],
    statedTotalFen: 100_005_000_000n,
  };
  const CANONICAL =
    '{"ceremonyId":"2026-05-20-610900-1","lines":[' +
    '{"amountFen":"5000000","countyCode":"610924","jiangsuOrganizationId":"js-a","position":1,"projectId":"00000000-0000-4000-8000-000000000001","shaanxiSignatoryId":"sn-b"},' +
    '{"amountFen":"100000000000","countyCode":"610927","jiangsuOrganizationId":"js-c","position":2,"projectId":"00000000-0000-4000-8000-000000000002","shaanxiSignatoryId":"sn-d"}' +
    '],"statedTotalFen":"100005000000","version":2}';

  it('is the SHA-256 of the canonical JSON of ceremony, version, lines and stated total', () => {
    expect(canonicalPackageJson(content)).toBe(CANONICAL);
    expect(packageContentHash(content)).toBe('74a53f0e43fd799362cf9494e8b2705ade3aadb34f08a3ffa279d7c426bfa772');
  });

  it('changes with any one fen of a line, a signatory, the version or the total', () => {
    const base = packageContentHash(content);
    const [second, first] = content.lines;
    const variants = [
      { ...content, lines: [second!, { ...first!, amountFen: 5_000_001n }] },
      { ...content, lines: [second!, { ...first!, shaanxiSignatoryId: 'sn-x' }] },
      { ...content, version: 3 },
      { ...content, statedTotalFen: 100_005_000_001n },
    ];
    for (const variant of variants) expect(packageContentHash(variant)).not.toBe(base);
  });
});
