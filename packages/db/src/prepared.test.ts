import { asc, sql } from 'drizzle-orm';
import { pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '@hub/testkit';
import type { Database, Db } from './database.ts';
import { amongTextsAt, amongUuidsAt, keyList, prepared } from './prepared.ts';
import { uuidList } from './project-sets.ts';

const schema = pgSchema('prepared_reads');
const things = schema.table('thing', { id: uuid('id').primaryKey(), code: text('code').notNull() });

const A = '00000000-0000-4000-8000-000000000100';
const B = '00000000-0000-4000-8000-000000000101';
const C = '00000000-0000-4000-8000-000000000102';
/** Codes a list written as text would split or unquote wrongly. */
const CODES = ['a', 'b', 'a,b', 'c"d', '{e}', 'e', 'f\\g'];

/** Reads whose SQL is built once per database and run with their values (prepared.ts). */
describe('a prepared read', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.execute(sql`create schema prepared_reads`);
    await database.db.execute(sql`create table prepared_reads.thing (id uuid primary key, code text not null)`);
    await database.db.insert(things).values(CODES.map((code, index) => ({ id: `00000000-0000-4000-8000-0000000001${String(index).padStart(2, '0')}`, code })));
  });
  afterAll(() => database?.close());

  const byCodes = (db: Db, codes: string[], built: { count: number }) =>
    prepared(db, 'test.thingsByCodes', (on) => {
      built.count += 1;
      return on.select().from(things).where(amongTextsAt(things.code, 'codes')).orderBy(asc(things.code));
    }).execute({ codes: keyList(codes) });

  it('is built once for a database, however often it runs and with whatever values', async () => {
    const built = { count: 0 };
    expect((await byCodes(database.db, ['a'], built)).map((row) => row.code)).toEqual(['a']);
    expect((await byCodes(database.db, ['b', 'e'], built)).map((row) => row.code)).toEqual(['b', 'e']);
    expect((await byCodes(database.db, ['a', 'b', 'e'], built)).map((row) => row.code)).toEqual(['a', 'b', 'e']);
    expect(built.count, 'built at the first run only').toBe(1);
  });

  it('matches each key as a whole, whatever characters it holds', async () => {
    const rows = await byCodes(database.db, ['a,b', 'c"d', '{e}', 'f\\g'], { count: 0 });
    expect(rows.map((row) => row.code)).toEqual(['a,b', 'c"d', 'f\\g', '{e}'].sort());
  });

  it('matches ids among many, each once', async () => {
    const read = prepared(database.db, 'test.thingsByIds', (on) => on.select().from(things).where(amongUuidsAt(things.id, 'ids')).orderBy(asc(things.id)));
    expect((await read.execute({ ids: uuidList([C, A, C]) })).map((row) => row.id)).toEqual([A, C]);
    expect((await read.execute({ ids: uuidList([B]) })).map((row) => row.id)).toEqual([B]);
  });

  it('runs beside reads whose names begin alike, however long: Postgres keeps 63 bytes of a statement name', async () => {
    // Outside a request, where a read's statement goes under the name it was built with.
    const prefix = `test.${'a read whose name is longer than a Postgres identifier may be'.repeat(2)}`;
    const byCode = prepared(database.db, `${prefix}.by-code`, (on) => on.select().from(things).where(amongTextsAt(things.code, 'codes')));
    const byId = prepared(database.db, `${prefix}.by-id`, (on) => on.select().from(things).where(amongUuidsAt(things.id, 'ids')));
    // One connection at a time: both statements meet on it.
    for (let round = 0; round < 3; round += 1) {
      expect((await byCode.execute({ codes: keyList(['e']) })).map((row) => row.code)).toEqual(['e']);
      expect((await byId.execute({ ids: uuidList([B]) })).map((row) => row.code)).toEqual(['b']);
    }
  });

  it('runs in the transaction it is asked in, not beside it', async () => {
    const code = 'written in the transaction';
    const UNDONE = new Error('undone: the transaction rolls back');
    let seen: string[] = [];
    // The read built on the database first: a transaction must not be given that one.
    await byCodes(database.db, [code], { count: 0 });
    await database.db
      .transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await tx.insert(things).values({ id: '00000000-0000-4000-8000-0000000000ff', code });
        seen = (await byCodes(tx, [code], { count: 0 })).map((row) => row.code);
        throw UNDONE;
      })
      .catch((error: unknown) => {
        if (error !== UNDONE) throw error;
      });
    expect(seen, 'the transaction sees its own write').toEqual([code]);
    expect(await byCodes(database.db, [code], { count: 0 }), 'rolled back').toEqual([]);
  });
});
