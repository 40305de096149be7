import { readFileSync } from 'node:fs';
import { parseCsv, requiredField, type OrganizationKind } from '@hub/common';
import type { Db } from '@hub/db';
import { cities, cityPairings, countyPairs, organizations, seedLog, type PairingEvidence } from './db/schema.ts';

const SEED_NAME = 'public-record-v1';
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

/** Loads the public-record seed in one transaction, once per database. */
export async function seedJiangsu(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(seedLog).values({ name: SEED_NAME }).onConflictDoNothing().returning();
    if (inserted.length === 0) return;

    const pairs = parseCsv(readSeed('jiangsu-shaanxi-city-pairs.csv'));
    await tx.insert(cities).values(
      pairs.map((row, index) => ({
        code: `${requiredField(row, 'jiangsu_city_code')}00`,
        nameZh: requiredField(row, 'jiangsu_city_zh'),
        namePinyin: requiredField(row, 'jiangsu_city_pinyin'),
        provenanceKind: 'PUBLIC_RECORD',
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
          provenanceKind: 'PUBLIC_RECORD',
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
        provenanceKind: 'PUBLIC_RECORD',
        sourceId: CITY_PAIRS_CSV,
        sourceDetail: `notes of line ${requiredField(row, 'city_pairs_line')}`,
      })),
    );

    const organizationSeeds = JSON.parse(readSeed('organizations.json')) as OrganizationSeed[];
    await tx.insert(organizations).values(
      organizationSeeds.map(({ sourceDetail, ...organization }) => ({
        ...organization,
        provenanceKind: 'PUBLIC_RECORD',
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
