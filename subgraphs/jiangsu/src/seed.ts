import { readFileSync } from 'node:fs';
import { isNull, sql, type SQL } from 'drizzle-orm';
import {
  DIVISIONS_SOURCE_ID,
  parseCsv,
  provinceDivisions,
  requiredField,
  type CountyLevelDivision,
  type OrganizationKind,
} from '@hub/common';
import { seedOnce, type Db } from '@hub/db';
import { logLine } from '@hub/server';
import {
  cities,
  cityPairings,
  counties,
  countyPairs,
  organizations,
  seedLog,
  type PairingEvidence,
} from './db/schema.ts';

const SEED_NAME = 'public-record-v1';
const DIVISIONS_SEED_NAME = 'county-level-divisions-v1';
const REPORT = 'shaanxi-civil-affairs-2017-report';
const CITY_PAIRS_CSV = 'jiangsu-shaanxi-city-pairs';

const readSeed = (file: string) => readFileSync(new URL(`../seed/${file}`, import.meta.url), 'utf8');

interface OrganizationSeed {
  id: string;
  nameZh: string;
  nameEn: string | null;
  kind: OrganizationKind;
  cityCode: string | null;
  description: string | null;
  sourceDetail: string;
}

/** Loads the public-record seed, then Jiangsu's cities and county-level divisions, each once per database. */
export async function seedJiangsu(db: Db): Promise<void> {
  await seedPublicRecord(db);
  await seedCountyLevelDivisions(db);
}

/**
 * Adds the cities the city pairings do not name and every county-level division, from the
 * pinned division codes package, and gives each documented county pair the code of the
 * division its name stands for. A separate seed step, so a data folder seeded before it gains
 * the divisions on its next start.
 */
async function seedCountyLevelDivisions(db: Db): Promise<void> {
  await seedOnce(db, seedLog, DIVISIONS_SEED_NAME, async (tx) => {
    const divisions = provinceDivisions('32');
    const provenance = (file: 'cities' | 'areas', code: string) => ({
      provenanceKind: 'PUBLIC_RECORD' as const,
      sourceId: DIVISIONS_SOURCE_ID,
      sourceDetail: `${divisions.detail(file)}: ${code}`,
    });
    await tx
      .insert(cities)
      .values(divisions.cities.map((city) => ({ ...city, namePinyin: null, ...provenance('cities', city.code) })))
      // The ten cities of the pairing record keep their record (and its pinyin names).
      .onConflictDoNothing({ target: cities.code });
    await tx
      .insert(counties)
      .values(divisions.counties.map((county) => ({ ...county, ...provenance('areas', county.code) })));

    const unmatched: string[] = [];
    const matched: SQL[] = [];
    for (const pair of await tx.select().from(countyPairs).where(isNull(countyPairs.jiangsuCountyCode))) {
      const division = divisionNamed(divisions.counties, pair.jiangsuCityCode, pair.jiangsuCountyNameZh);
      if (division) matched.push(sql`(${pair.jiangsuCountyNameZh}, ${pair.shaanxiCountyCode}, ${division.code})`);
      else unmatched.push(`${pair.jiangsuCountyNameZh} (${pair.jiangsuCityCode})`);
    }
    // One statement for all pairs: each statement costs a round trip on the first start.
    if (matched.length > 0) {
      await tx.execute(sql`
        update ${countyPairs} set jiangsu_county_code = matched.code
        from (values ${sql.join(matched, sql`, `)}) as matched(name_zh, shaanxi_code, code)
        where ${countyPairs.jiangsuCountyNameZh} = matched.name_zh and ${countyPairs.shaanxiCountyCode} = matched.shaanxi_code`);
    }
    if (unmatched.length > 0) {
      logLine('warn', `county pairs with no division of that name in their city (left without a code): ${unmatched.join(', ')}`, { unmatched });
    }
  });
}

/**
 * The division of `cityCode` a county pair's name stands for. The record writes names without
 * the type character (太仓 for 太仓市, 邗江 for 邗江区), so a name matches a division's name
 * exactly or with one of 市, 区, 县 after it; a name two divisions of the city could carry
 * matches none.
 */
export function divisionNamed(
  divisions: readonly CountyLevelDivision[],
  cityCode: string,
  name: string,
): CountyLevelDivision | null {
  const candidates = divisions.filter(
    (division) => division.cityCode === cityCode && ['', '市', '区', '县'].some((type) => division.nameZh === `${name}${type}`),
  );
  return candidates.length === 1 ? candidates[0]! : null;
}

/** Loads the public-record seed in one transaction, once per database. */
async function seedPublicRecord(db: Db): Promise<void> {
  await seedOnce(db, seedLog, SEED_NAME, async (tx) => {
    const pairs = parseCsv(readSeed('jiangsu-shaanxi-city-pairs.csv'));
    await tx.insert(cities).values(
      pairs.map((row, index) => ({
        code: `${requiredField(row, 'jiangsu_city_code')}00`,
        nameZh: requiredField(row, 'jiangsu_city_zh'),
        namePinyin: requiredField(row, 'jiangsu_city_pinyin'),
        provenanceKind: 'PUBLIC_RECORD' as const,
        sourceId: CITY_PAIRS_CSV,
        sourceDetail: `line ${index + 2}`,
      })),
    );
    await tx.insert(cityPairings).values(
      pairs.map((row, index) => {
        const notes = row.notes || null;
        return {
          jiangsuCityCode: `${requiredField(row, 'jiangsu_city_code')}00`,
          shaanxiPrefectureCode: `${requiredField(row, 'shaanxi_city_code')}00`,
          evidence: (requiredField(row, 'evidence_level') === 'city' ? 'CITY' : 'COUNTY_ONLY') as PairingEvidence,
          sinceYear: sinceYearOf(notes, 'paired since'),
          notes,
          provenanceKind: 'PUBLIC_RECORD' as const,
          sourceId: CITY_PAIRS_CSV,
          sourceDetail: `line ${index + 2}`,
        };
      }),
    );

    // The county pairs are the ones the city-pairs file names in its notes column.
    await tx.insert(countyPairs).values(
      parseCsv(readSeed('county-pairs.csv')).map((row) => ({
        jiangsuCityCode: `${requiredField(row, 'jiangsu_city_code')}00`,
        jiangsuCountyNameZh: requiredField(row, 'jiangsu_county_zh'),
        shaanxiCountyCode: requiredField(row, 'shaanxi_county_code'),
        sinceYear: row.since_year ? Number(row.since_year) : null,
        provenanceKind: 'PUBLIC_RECORD' as const,
        sourceId: CITY_PAIRS_CSV,
        sourceDetail: `notes of line ${requiredField(row, 'city_pairs_line')}`,
      })),
    );

    const organizationSeeds = JSON.parse(readSeed('organizations.json')) as OrganizationSeed[];
    await tx.insert(organizations).values(
      organizationSeeds.map(({ sourceDetail, ...organization }) => ({
        ...organization,
        provenanceKind: 'PUBLIC_RECORD' as const,
        sourceId: REPORT,
        sourceDetail: `FACTS.md: ${sourceDetail}`,
      })),
    );
  });
}

/** "paired since 1996" → 1996. */
function sinceYearOf(notes: string | null, phrase: string): number | null {
  const match = notes?.match(new RegExp(`${phrase} (\\d{4})`));
  return match?.[1] ? Number(match[1]) : null;
}
