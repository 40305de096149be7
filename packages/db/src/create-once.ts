import { eq } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './database.ts';
import { recordOnce } from './ledger.ts';

/** A table whose records carry `creationKeyColumns()`: the key, under a unique index, and the fingerprint. */
export type KeyedTable = PgTable & { idempotencyKey: PgColumn; requestFingerprint: PgColumn };

export type CreateOnce<Row> = { type: 'created'; row: Row; replayed: boolean } | { type: 'key-reused' };

/** What a creating mutation writes: the record's values with its key and fingerprint, or nulls. */
export type KeyedValues = Record<string, unknown> & { idempotencyKey: string | null; requestFingerprint: string | null };

/**
 * Inserts the record a creating mutation makes. Without a key it is a plain insert. With one,
 * the key's unique index decides, as for ledger entries (recordOnce): of two requests with one
 * key, however close together, one inserts and the other gets that record back, or is refused
 * when it asked for something else.
 */
export async function createOnce<Row extends { requestFingerprint: string | null }>(
  db: Db,
  table: KeyedTable,
  values: KeyedValues,
): Promise<CreateOnce<Row>> {
  const key = values.idempotencyKey;
  if (key === null || values.requestFingerprint === null) {
    const [row] = (await db.insert(table).values(values).returning()) as Row[];
    return { type: 'created', row: row!, replayed: false };
  }
  const result = await recordOnce<Row>(db, {
    fingerprint: values.requestFingerprint,
    insert: async (tx) =>
      ((await tx.insert(table).values(values).onConflictDoNothing({ target: table.idempotencyKey }).returning()) as Row[])[0],
    findByKey: async (tx) => ((await tx.select().from(table).where(eq(table.idempotencyKey, key))) as Row[])[0],
  });
  return result.type === 'recorded' ? { type: 'created', row: result.entry, replayed: result.replayed } : result;
}

/** The record made under `key` earlier, judged against this request's fingerprint; null when there is none. */
export async function createdEarlier<Row extends { requestFingerprint: string | null }>(
  db: Db,
  table: KeyedTable,
  values: KeyedValues,
): Promise<CreateOnce<Row> | null> {
  if (values.idempotencyKey === null) return null;
  const [row] = (await db.select().from(table).where(eq(table.idempotencyKey, values.idempotencyKey))) as Row[];
  if (!row) return null;
  return row.requestFingerprint === values.requestFingerprint ? { type: 'created', row, replayed: true } : { type: 'key-reused' };
}
