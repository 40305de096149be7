import type { ColumnBaseConfig } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './database.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** A schema's seed log: one row, named, for each seed set applied to it. */
export type SeedLogTable = PgTable & { name: PgColumn<ColumnBaseConfig<'string', 'PgText'>> };

/**
 * Runs `work` once per database for the seed set `name`, in one transaction with its entry in
 * the seed log: the entry is written first, so a set already there is skipped, and work that
 * fails leaves no entry behind. Returns whether the work ran.
 */
export async function seedOnce(db: Db, table: SeedLogTable, name: string, work: (tx: Tx) => Promise<void>): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(table).values({ name }).onConflictDoNothing().returning();
    if (inserted.length === 0) return false;
    await work(tx);
    return true;
  });
}
