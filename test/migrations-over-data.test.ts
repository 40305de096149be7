import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { installDataVersion, openDatabase, queryRows, type Database } from '@hub/db';
import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
import { createTestDatabaseUrl, openTestDatabase } from '@hub/testkit';

/**
 * A migration meets a database that already holds rows, with the response cache's data-version
 * triggers on every table, as every `npm start` of an earlier release leaves it — not only the
 * empty database a test starts from.
 */

const EVER_PUBLISHED = '0004_ever_published';
const PUBLISHED_THEN_CANCELLED = '00000000-0000-4000-8000-000000000001';
const PROPOSED_ONLY = '00000000-0000-4000-8000-000000000002';

/** A subgraph's migrations as they were before `tag`, in a folder of their own. */
function migrationsBefore(tag: string, migrationsFolder = pairingSubgraph.migrationsFolder): string {
  const folder = mkdtempSync(join(tmpdir(), 'hub-migrations-'));
  cpSync(migrationsFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(at, `the journal names ${tag}`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  rmSync(join(folder, `${tag}.sql`));
  return folder;
}

describe('pairing migration 0004 (ever_published) over a database with data', () => {
  it('marks the projects the stage events published, with the data-version triggers in place', async () => {
    const database = await openTestDatabase();
    const earlier = migrationsBefore(EVER_PUBLISHED);
    try {
      await database.migrate({ migrationsFolder: earlier, schema: 'pairing' });
      // One project published and cancelled since, one never published.
      await database.db.execute(sql`
        insert into pairing.project_pipeline (project_id, stage, version, county_code, prefecture_code, field)
        values (${PUBLISHED_THEN_CANCELLED}, 'CANCELLED', 2, '610924', '610900', 'EDUCATION'),
               (${PROPOSED_ONLY}, 'PROPOSED', 1, '610924', '610900', 'EDUCATION')`);
      await database.db.execute(sql`
        insert into pairing.stage_event (project_id, sequence, from_stage, to_stage, actor_role)
        values (${PUBLISHED_THEN_CANCELLED}, 1, 'PROPOSED', 'PUBLISHED', 'SHAANXI_OFFICE'),
               (${PUBLISHED_THEN_CANCELLED}, 2, 'PUBLISHED', 'CANCELLED', 'SHAANXI_OFFICE'),
               (${PROPOSED_ONLY}, 1, 'PROPOSED', 'PROPOSED', 'SHAANXI_OFFICE')`);
      await installDataVersion(database, ['pairing']);

      await database.migrate({ migrationsFolder: pairingSubgraph.migrationsFolder, schema: 'pairing' });

      const rows = await queryRows<{ project_id: string; ever_published: boolean }>(
        database.db,
        sql`select project_id, ever_published from pairing.project_pipeline order by project_id`,
      );
      expect(rows).toEqual([
        { project_id: PUBLISHED_THEN_CANCELLED, ever_published: true },
        { project_id: PROPOSED_ONLY, ever_published: false },
      ]);
    } finally {
      rmSync(earlier, { recursive: true, force: true });
      await database.close();
    }
  });
});

const YEAR_SUMS = '0009_funding_year_sums';
const RUIHUA = 'js-ruihua-charity-foundation';
const PROJECT = '00000000-0000-4000-8000-000000000003';

describe('jiangsu migration 0009 (funding year sums) over a database with data', () => {
  it('sums the commitments and disbursements already recorded by year in China, and keeps the sums with every entry written after', async () => {
    const database = await openTestDatabase();
    const earlier = migrationsBefore(YEAR_SUMS, jiangsuSubgraph.migrationsFolder);
    let entries = 0;
    const entry = (kind: string, fen: number, at: string) => {
      entries += 1;
      return sql`insert into jiangsu.funding_entry (project_id, organization_id, kind, amount_fen, idempotency_key, request_fingerprint, recorded_by_role, recorded_at)
        values (${PROJECT}, ${RUIHUA}, ${kind}, ${fen}, ${`year-sums-${entries}`}, 'fixture', 'JIANGSU_OFFICE', ${at}) returning id`;
    };
    const sums = () =>
      queryRows<{ kind: string; year: number; fen: string }>(
        database.db,
        sql`select kind, year, amount_fen::text as fen from jiangsu.funding_year_sum where project_id = ${PROJECT} and organization_id = ${RUIHUA} order by kind, year`,
      );
    try {
      await database.migrate({ migrationsFolder: earlier, schema: 'jiangsu' });
      await jiangsuSubgraph.seed!(database.db, { demo: false, demoScale: 1 });
      await database.db.execute(entry('COMMITMENT', 100, '2018-12-31T15:59:59Z')); // 2018-12-31 23:59:59 in China
      const [midnight] = await queryRows<{ id: string }>(database.db, entry('COMMITMENT', 200, '2018-12-31T16:00:00Z')); // 2019-01-01 00:00 in China
      await database.db.execute(entry('COMMITMENT', 50, '2019-06-01T04:00:00Z'));
      const [disbursement] = await queryRows<{ id: string }>(database.db, entry('DISBURSEMENT', 70, '2019-07-01T04:00:00Z'));
      await database.db.execute(entry('PLEDGE', 999, '2019-01-02T04:00:00Z'));
      await installDataVersion(database, ['jiangsu']);

      await database.migrate({ migrationsFolder: jiangsuSubgraph.migrationsFolder, schema: 'jiangsu' });
      expect(await sums(), 'the entries already recorded, summed; the pledge left out').toEqual([
        { kind: 'COMMITMENT', year: 2018, fen: '100' },
        { kind: 'COMMITMENT', year: 2019, fen: '250' },
        { kind: 'DISBURSEMENT', year: 2019, fen: '70' },
      ]);

      // Written after: each entry's sum kept in its own transaction, whoever writes it.
      await database.db.execute(entry('COMMITMENT', 5, '2019-03-01T04:00:00Z'));
      await database.db.execute(entry('PLEDGE', 1, '2019-03-01T04:00:00Z'));
      await database.db.execute(entry('COMMITMENT', 7, '2020-12-31T16:30:00Z')); // 2021-01-01 00:30 in China
      await database.db.execute(sql`delete from jiangsu.funding_entry where id = ${disbursement!.id}`);
      await database.db.execute(sql`update jiangsu.funding_entry set recorded_at = '2020-01-01T04:00:00Z' where id = ${midnight!.id}`);
      expect(await sums()).toEqual([
        { kind: 'COMMITMENT', year: 2018, fen: '100' },
        { kind: 'COMMITMENT', year: 2019, fen: '55' },
        { kind: 'COMMITMENT', year: 2020, fen: '200' },
        { kind: 'COMMITMENT', year: 2021, fen: '7' },
      ]);
    } finally {
      rmSync(earlier, { recursive: true, force: true });
      await database.close();
    }
  });
});

const CURSOR_TIMES = '0005_cursor_times_to_the_millisecond';
const SHAANXI_CURSOR_TIMES = '0010_cursor_times_to_the_millisecond';

describe('migrations to times kept to the millisecond over a database with data', () => {
  it('rounds the pipeline entries and the needs written to the microsecond', async () => {
    const database = await openTestDatabase();
    const pairingEarlier = migrationsBefore(CURSOR_TIMES);
    const shaanxiEarlier = migrationsBefore(SHAANXI_CURSOR_TIMES, shaanxiSubgraph.migrationsFolder);
    try {
      await database.migrate({ migrationsFolder: shaanxiEarlier, schema: 'shaanxi' });
      await shaanxiSubgraph.seed!(database.db, { demo: false, demoScale: 1 });
      await database.migrate({ migrationsFolder: pairingEarlier, schema: 'pairing' });
      await database.db.execute(sql`
        insert into shaanxi.project_need (id, county_code, title_zh, field, created_at)
        values (${PUBLISHED_THEN_CANCELLED}, '610924', '一', 'EDUCATION', '2021-03-04 05:06:07.123456+00'),
               (${PROPOSED_ONLY}, '610924', '二', 'EDUCATION', '2021-03-04 05:06:07.123789+00')`);
      await database.db.execute(sql`
        insert into pairing.project_pipeline (project_id, stage, version, county_code, prefecture_code, field, entered_at)
        values (${PUBLISHED_THEN_CANCELLED}, 'PUBLISHED', 1, '610924', '610900', 'EDUCATION', '2021-03-04 05:06:07.123456+00'),
               (${PROPOSED_ONLY}, 'PROPOSED', 1, '610924', '610900', 'EDUCATION', '2021-03-04 05:06:07.123789+00')`);
      await installDataVersion(database, ['shaanxi', 'pairing']);

      await database.migrate({ migrationsFolder: shaanxiSubgraph.migrationsFolder, schema: 'shaanxi' });
      await database.migrate({ migrationsFolder: pairingSubgraph.migrationsFolder, schema: 'pairing' });

      // The rows written here only: the seed wrote the public record's needs beside them.
      const times = async (table: string, id: string, at: string) =>
        (await queryRows<{ id: string; at: string }>(database.db, sql.raw(`select ${id}::text as id, to_char(${at} at time zone 'UTC', 'HH24:MI:SS.US') as at from ${table} order by 1`))).filter(
          (row) => row.id === PUBLISHED_THEN_CANCELLED || row.id === PROPOSED_ONLY,
        );
      const rounded = [
        { id: PUBLISHED_THEN_CANCELLED, at: '05:06:07.123000' },
        { id: PROPOSED_ONLY, at: '05:06:07.124000' },
      ];
      expect(await times('shaanxi.project_need', 'id', 'created_at')).toEqual(rounded);
      expect(await times('pairing.project_pipeline', 'project_id', 'entered_at')).toEqual(rounded);
    } finally {
      rmSync(pairingEarlier, { recursive: true, force: true });
      rmSync(shaanxiEarlier, { recursive: true, force: true });
      await database.close();
    }
  });
});

const PUBLISH_RECORD_NEEDS = '0007_publish_public_record_needs';
const RECORD_NEED = '00000000-0000-4000-8000-0000000000e2';
const ENTERED_NEED = '00000000-0000-4000-8000-0000000000e1';

/** Shaanxi's schema before 0007, a need of the public record 0007 publishes and an entered one, and the data-version triggers. */
async function shaanxiBeforePublishingRecordNeeds(database: Database, folder: string): Promise<void> {
  await database.migrate({ migrationsFolder: folder, schema: 'shaanxi' });
  await database.db.execute(sql`insert into shaanxi.prefecture (code, name_zh, name_pinyin) values ('610900', '安康', 'Ankang')`);
  await database.db.execute(sql`insert into shaanxi.county (code, name_zh, name_pinyin, prefecture_code, poverty_county) values ('610924', '镇坪', 'Zhenping', '610900', true)`);
  await database.db.execute(sql`
    insert into shaanxi.project_need (id, county_code, title_zh, field, provenance_kind, created_at)
    values (${RECORD_NEED}, '610924', '记录', 'EDUCATION', 'PUBLIC_RECORD', '2021-03-04 05:06:07.123456+00'),
           (${ENTERED_NEED}, '610924', '录入', 'EDUCATION', 'ENTERED', '2021-03-04 05:06:07.123789+00')`);
  await installDataVersion(database, ['shaanxi']);
}

describe('shaanxi migration 0010 in the same run as 0007, with the data-version triggers in place', () => {
  it('publishes the record need and rounds the times, though 0007 left trigger events pending on the table', async () => {
    const database = await openTestDatabase();
    const earlier = migrationsBefore(PUBLISH_RECORD_NEEDS, shaanxiSubgraph.migrationsFolder);
    try {
      await shaanxiBeforePublishingRecordNeeds(database, earlier);
      await database.migrate({ migrationsFolder: shaanxiSubgraph.migrationsFolder, schema: 'shaanxi' });
      const rows = await queryRows<{ id: string; created: string; published: boolean }>(
        database.db,
        sql`select id::text, to_char(created_at at time zone 'UTC', 'HH24:MI:SS.US') as created, published_at is not null as published from shaanxi.project_need order by id`,
      );
      expect(rows).toEqual([
        { id: ENTERED_NEED, created: '05:06:07.124000', published: false },
        { id: RECORD_NEED, created: '05:06:07.123000', published: true },
      ]);
    } finally {
      rmSync(earlier, { recursive: true, force: true });
      await database.close();
    }
  });

  // Two sessions of one Postgres server: PGlite has one.
  it.runIf(process.env.TEST_DATABASE_URL)('runs beside a writer of the needs committing meanwhile, without a deadlock', async () => {
    const created = await createTestDatabaseUrl();
    const database = await openDatabase({ url: created!.url, poolSize: 3 });
    const earlier = migrationsBefore(PUBLISH_RECORD_NEEDS, shaanxiSubgraph.migrationsFolder);
    const reader = new pg.Client({ connectionString: created!.url });
    const writer = new pg.Client({ connectionString: created!.url });
    try {
      await shaanxiBeforePublishingRecordNeeds(database, earlier);
      await reader.connect();
      await writer.connect();
      // A reader of the counties holds the run at 0008 (which alters them), after 0007 has written needs.
      await reader.query('begin');
      await reader.query('select count(*) from shaanxi.county');
      const migrating = database
        .migrate({ migrationsFolder: shaanxiSubgraph.migrationsFolder, schema: 'shaanxi' })
        .then(() => 'migrated', (error: Error) => `migration failed: ${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Meanwhile a writer changes an entered need, and commits once the run has gone on to 0010.
      await writer.query('begin');
      await writer.query(`update shaanxi.project_need set title_zh = '改' where id = '${ENTERED_NEED}'`);
      await reader.query('commit');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const committing = writer.query('commit').then(() => 'writer committed', (error: Error) => `writer failed: ${error.message}`);
      expect(await Promise.all([migrating, committing])).toEqual(['migrated', 'writer committed']);
    } finally {
      await reader.end().catch(() => {});
      await writer.end().catch(() => {});
      rmSync(earlier, { recursive: true, force: true });
      await database.close();
      await created!.drop();
    }
  });
});
