import { asc, sql } from 'drizzle-orm';
import { pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import type { Database } from './database.ts';
import { amongTexts, amongUuids, wantedProjectSets } from './project-sets.ts';

const schema = pgSchema('among_texts');
const things = schema.table('thing', { id: text('id').primaryKey() });
const projects = schema.table('project', { id: uuid('id').primaryKey() });

/** Keys a list written as text would split, unquote or take for something else. */
const KEYS = ['a', 'a,b', 'c"d', '{e}', 'f\\g', ' s p ', 'NULL', '', "o'q", 'é中', 'b'];

/** The `n`th of a run of made-up project ids, in order. */
const projectId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** The projects the table holds: every hundredth of the first 10,000. */
const HELD = Array.from({ length: 100 }, (_, index) => projectId(index * 100));

describe('amongTexts, amongUuids and wantedProjectSets', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`create schema among_texts`);
    await database.db.execute(sql`create table among_texts.thing (id text primary key)`);
    await database.db.insert(things).values(KEYS.map((id) => ({ id })));
    await database.db.execute(sql`create table among_texts.project (id uuid primary key)`);
    await database.db.insert(projects).values(HELD.map((id) => ({ id })));
  });
  afterAll(() => database?.close());

  const among = async (keys: string[]) =>
    (await database.db.select().from(things).where(amongTexts(things.id, keys)).orderBy(asc(things.id))).map((row) => row.id);

  it('matches each key as a whole, whatever characters it holds', async () => {
    for (const key of KEYS) expect(await among([key]), JSON.stringify(key)).toEqual([key]);
    expect(await among(['a,b', 'NULL', 'missing'])).toEqual(['NULL', 'a,b']);
  });

  it('matches thousands of keys in one statement, each once', async () => {
    const many = [...Array.from({ length: 6_000 }, (_, index) => `unknown-${index}`), 'a', 'a', 'b'];
    expect(await among(many)).toEqual(['a', 'b']);
  });

  it('matches nothing for no keys, or only keys no column holds', async () => {
    expect(await among([])).toEqual([]);
    expect(await among(['nul\u0000'])).toEqual([]);
  });

  const amongIds = async (ids: string[]) =>
    (await database.db.select().from(projects).where(amongUuids(projects.id, ids)).orderBy(asc(projects.id))).map((row) => row.id);

  it('matches ten thousand project ids in one statement, each once, leaving out what is no UUID', async () => {
    const asked = [...Array.from({ length: 10_000 }, (_, index) => projectId(index)), projectId(0), projectId(9_900), 'not-a-uuid', ''];
    expect(await amongIds(asked)).toEqual(HELD);
    expect(await amongIds([projectId(100), projectId(101), 'x'])).toEqual([projectId(100)]);
    expect(await amongIds(['x'])).toEqual([]);
  });

  /** How many held projects each set names, by slot, through `wantedProjectSets`; null when it gives no relation. */
  const heldPerSet = async (lists: string[]) => {
    const wanted = wantedProjectSets(lists);
    if (!wanted) return null;
    const rows = await database.db.execute(
      sql`select wanted.slot, count(*)::int as held from ${wanted} join among_texts.project on among_texts.project.id = wanted.project_id group by wanted.slot order by wanted.slot`,
    );
    return (rows as unknown as { rows: { slot: number; held: number }[] }).rows.map(({ slot, held }) => [slot, held]);
  };

  it('splits sets given as comma-separated ids, ten thousand in one, each set at its own slot', async () => {
    const all = Array.from({ length: 10_000 }, (_, index) => projectId(index)).join(',');
    // Slot 1 is a stage with no project; slot 3 names one held project in capitals.
    const lists = [all, '', [projectId(100), projectId(101)].join(','), projectId(200).toUpperCase()];
    expect(await heldPerSet(lists)).toEqual([[0, 100], [2, 1], [3, 1]]);
  });

  it('leaves out of a set what is no UUID, and gives no relation when no set holds one', async () => {
    expect(await heldPerSet([`not-a-uuid,${projectId(300)},,${projectId(300)}x`, `${projectId(400)};${projectId(500)}`, projectId(600)])).toEqual([[0, 1], [2, 1]]);
    expect(await heldPerSet(['', 'x,y'])).toBeNull();
    expect(await heldPerSet([])).toBeNull();
  });
});
