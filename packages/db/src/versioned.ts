import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { isStorableKey, type OrganizationKind } from '@hub/common';
import { createdEarlier, createOnce, type CreateOnce, type KeyedTable, type KeyedValues } from './create-once.ts';
import type { Db } from './database.ts';
import { unlessDuplicate } from './pg-errors.ts';
import { amongTexts } from './project-sets.ts';

/** The result of an optimistic update: the new row, or why there is none. */
export type VersionedUpdate<Row> =
  | { type: 'updated'; row: Row }
  | { type: 'not-found' }
  | { type: 'version-conflict'; currentVersion: number };

interface VersionedTable extends PgTable {
  version: PgColumn;
  updatedAt: PgColumn;
}

/**
 * Updates one row only if it still has `expectedVersion`, bumping the version in the same
 * statement, so two editors cannot both win. When nothing was updated, one more statement
 * tells a missing row from a version conflict.
 */
export async function updateVersioned<Row>(
  db: Db,
  table: VersionedTable,
  key: { column: PgColumn; value: string },
  expectedVersion: number,
  changes: Record<string, unknown>,
): Promise<VersionedUpdate<Row>> {
  const set = { ...changes, version: sql`${table.version} + 1`, updatedAt: sql`now()` } as Record<string, unknown>;
  const updated = (await db
    .update(table)
    .set(set as never)
    .where(and(eq(key.column, key.value), eq(table.version, expectedVersion)) as SQL)
    .returning()) as Row[];
  const [row] = updated;
  if (row) return { type: 'updated', row };
  const [current] = (await db
    .select({ version: table.version })
    .from(table as never)
    .where(eq(key.column, key.value))) as { version: number }[];
  return current ? { type: 'version-conflict', currentVersion: current.version } : { type: 'not-found' };
}

/** An organization write's outcome: both provinces keep the USCC unique as `organization_uscc_unique`. */
export type OrganizationWrite<Row> = VersionedUpdate<Row> | { type: 'duplicate-uscc' };

const USCC_UNIQUE = 'organization_uscc_unique';

/**
 * Creating and editing an organization, the same in both provinces' tables: a taken Unified
 * Social Credit Code is reported, not thrown; a create with an idempotency key is made once
 * (see createOnce); an edit is optimistic (see updateVersioned); an id that could not be
 * stored finds nothing without reaching the database.
 */
export function organizationWrites<Row extends { requestFingerprint: string | null }>(
  db: Db,
  table: VersionedTable & KeyedTable & { id: PgColumn },
) {
  return {
    async insert(values: KeyedValues): Promise<CreateOnce<Row> | { type: 'duplicate-uscc' }> {
      const created = await unlessDuplicate(USCC_UNIQUE, () => createOnce<Row>(db, table, values), null);
      // Two requests with one key can both reach the USCC index before either commits; the one
      // that loses there is then a retry of the one that won, not a second organization.
      return created ?? (await createdEarlier<Row>(db, table, values)) ?? { type: 'duplicate-uscc' };
    },
    update: (id: string, expectedVersion: number, changes: Record<string, unknown>): Promise<OrganizationWrite<Row>> => {
      if (!isStorableKey(id)) return Promise.resolve({ type: 'not-found' });
      return unlessDuplicate(
        USCC_UNIQUE,
        () => updateVersioned<Row>(db, table, { column: table.id, value: id }, expectedVersion, changes),
        { type: 'duplicate-uscc' as const },
      );
    },
  };
}

/**
 * The kinds of the organizations a province's table holds among `ids`, the same in both
 * provinces: one statement and the ids as one parameter however many, two columns (the pairing
 * asks thousands at a time). An id the table does not hold is left out.
 */
export async function organizationKinds(
  db: Db,
  table: PgTable & { id: PgColumn; kind: PgColumn },
  ids: readonly string[],
): Promise<{ id: string; kind: OrganizationKind }[]> {
  if (ids.length === 0) return [];
  return db.select({ id: table.id, kind: table.kind }).from(table).where(amongTexts(table.id, ids)) as Promise<{ id: string; kind: OrganizationKind }[]>;
}

