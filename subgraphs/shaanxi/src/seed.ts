import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { DIVISIONS_SOURCE_ID, parseCsv, provinceDivisions, requiredField } from '@hub/common';
import { seedOnce, type Db } from '@hub/db';
import {
  counties,
  organizations,
  prefectures,
  projectNeeds,
  seedLog,
  type OrganizationKind,
  type ProjectField,
} from './db/schema.ts';

const SEED_NAME = 'public-record-v1';
const DIVISIONS_SEED_NAME = 'county-level-divisions-v1';
const REPORT = 'shaanxi-civil-affairs-2017-report';
const COUNTIES_CSV = 'shaanxi-poverty-counties';

/** Prefectures in the Shaan-Gan-Ning revolutionary old area, as docs/sources/FACTS.md notes. */
const SHAAN_GAN_NING_OLD_AREA = new Set(['610600', '610800', '610200']);
/** 紫阳县 is reported as one of the 11 deep-poverty counties; the full list was not found. */
const REPORTED_DEEP_POVERTY = new Set(['610924']);

const readSeed = (file: string) => readFileSync(new URL(`../seed/${file}`, import.meta.url), 'utf8');

interface OrganizationSeed {
  id: string;
  nameZh: string;
  nameEn: string | null;
  kind: OrganizationKind;
  homeCountyCode: string | null;
  description: string | null;
  sourceDetail: string;
}

interface ProjectNeedSeed {
  id: string;
  countyCode: string;
  raisedByOrganizationId: string | null;
  titleZh: string;
  titleEn: string | null;
  field: ProjectField;
  beneficiaryDescription: string | null;
  sourceDetail: string;
}

/** Loads the public-record seed, then every other county-level division, each once per database. */
export async function seedShaanxi(db: Db): Promise<void> {
  await seedPublicRecord(db);
  await seedCountyLevelDivisions(db);
}

/**
 * Adds the county-level divisions the poverty-county record does not name, from the pinned
 * division codes package. The record's counties stay exactly as loaded; for the others it is
 * silent, so their poverty facts stay unknown (null), never false. A county the record names
 * under a code renamed since (旬阳县 610928, now 旬阳市 610981) stays one county: the record's
 * row, which every reference uses, takes the package's code as its current code. A separate
 * seed step, so a data folder seeded before it gains the divisions on its next start.
 */
async function seedCountyLevelDivisions(db: Db): Promise<void> {
  await seedOnce(db, seedLog, DIVISIONS_SEED_NAME, async (tx) => {
    const divisions = provinceDivisions('61');
    const detail = divisions.detail('areas');
    const renamedFrom = new Map(
      parseCsv(readSeed('shaanxi-poverty-counties.csv')).flatMap((row) => {
        const renamed = row.notes?.match(/became (\S+) (61\d{4})/);
        return renamed ? [[renamed[2]!, requiredField(row, 'code')]] : [];
      }),
    );
    for (const [currentCode, recordCode] of renamedFrom) {
      if (!divisions.counties.some((county) => county.code === currentCode)) {
        throw new Error(`the poverty record says ${recordCode} became ${currentCode}, which ${detail} does not hold`);
      }
      await tx.update(counties).set({ currentCode }).where(eq(counties.code, recordCode));
    }
    await tx
      .insert(counties)
      .values(
        divisions.counties
          .filter((county) => !renamedFrom.has(county.code))
          .map((county) => ({
            code: county.code,
            nameZh: county.nameZh,
            namePinyin: null,
            prefectureCode: county.cityCode,
            povertyCounty: null,
            exitedPovertyYear: null,
            deepPoverty: null,
            revolutionaryOldArea: null,
            notes: null,
            provenanceKind: 'PUBLIC_RECORD' as const,
            sourceId: DIVISIONS_SOURCE_ID,
            sourceDetail: `${detail}: ${county.code}`,
          })),
      )
      // The 56 counties of the poverty record are already there, with their facts: keep them.
      .onConflictDoNothing({ target: counties.code });
  });
}

/** Loads the public-record seed in one transaction, once per database. */
async function seedPublicRecord(db: Db): Promise<void> {
  await seedOnce(db, seedLog, SEED_NAME, async (tx) => {
    const rows = parseCsv(readSeed('shaanxi-poverty-counties.csv'));
    const prefectureRows = new Map<string, typeof prefectures.$inferInsert>();
    for (const [index, row] of rows.entries()) {
      const code = `${requiredField(row, 'prefecture_code')}00`;
      if (prefectureRows.has(code)) continue;
      prefectureRows.set(code, {
        code,
        nameZh: requiredField(row, 'prefecture_zh'),
        namePinyin: requiredField(row, 'prefecture_pinyin'),
        revolutionaryOldArea: SHAAN_GAN_NING_OLD_AREA.has(code) ? true : null,
        provenanceKind: 'PUBLIC_RECORD' as const,
        sourceId: COUNTIES_CSV,
        sourceDetail: `line ${index + 2}${SHAAN_GAN_NING_OLD_AREA.has(code) ? '; old-area flag: FACTS.md, known gaps' : ''}`,
      });
    }
    await tx.insert(prefectures).values([...prefectureRows.values()]);

    await tx.insert(counties).values(
      rows.map((row, index) => {
        const code = requiredField(row, 'code');
        return {
          code,
          nameZh: requiredField(row, 'name_zh'),
          namePinyin: requiredField(row, 'name_pinyin'),
          prefectureCode: `${requiredField(row, 'prefecture_code')}00`,
          povertyCounty: true,
          exitedPovertyYear: Number(requiredField(row, 'exit_batch_year')),
          deepPoverty: REPORTED_DEEP_POVERTY.has(code) ? true : null,
          revolutionaryOldArea: null,
          notes: row.notes || null,
          provenanceKind: 'PUBLIC_RECORD' as const,
          sourceId: COUNTIES_CSV,
          sourceDetail: `line ${index + 2}`,
        };
      }),
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

    const needSeeds = JSON.parse(readSeed('project-needs.json')) as ProjectNeedSeed[];
    await tx.insert(projectNeeds).values(
      needSeeds.map(({ sourceDetail, ...need }) => ({
        ...need,
        // The report that names these needs published them; they are no one's drafts.
        publishedAt: new Date(),
        provenanceKind: 'PUBLIC_RECORD' as const,
        sourceId: REPORT,
        sourceDetail: `FACTS.md: ${sourceDetail}`,
      })),
    );
  });
}
