import { asc, sql } from 'drizzle-orm';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import type { Database } from './database.ts';
import { amongTexts } from './project-sets.ts';

const schema = pgSchema('among_texts');
const things = schema.table('thing', { id: text('id').primaryKey() });

/** Keys a list written as text would split, unquote or take for something else. */
const KEYS = ['a', 'a,b', 'c"d', '{e}', 'f\\g', ' s p ', 'NULL', '', "o'q", 'é中', 'b'];

describe('amongTexts', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`create schema among_texts`);
    await database.db.execute(sql`create table among_texts.thing (id text primary key)`);
    await database.db.insert(things).values(KEYS.map((id) => ({ id })));
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
});
