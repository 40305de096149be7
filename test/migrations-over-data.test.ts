import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { installDataVersion, queryRows } from '@hub/db';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { openTestDatabase } from '@hub/testkit';

/**
 * A migration meets a database that already holds rows, with the response cache's data-version
 * triggers on every table, as every `npm start` of an earlier release leaves it — not only the
 * empty database a test starts from.
 */

const EVER_PUBLISHED = '0004_ever_published';
const PUBLISHED_THEN_CANCELLED = '00000000-0000-4000-8000-000000000001';
const PROPOSED_ONLY = '00000000-0000-4000-8000-000000000002';

/** The pairing subgraph's migrations as they were before `tag`, in a folder of their own. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'hub-migrations-'));
  cpSync(pairingSubgraph.migrationsFolder, folder, { recursive: true });
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
