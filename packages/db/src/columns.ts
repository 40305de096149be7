import { sql } from 'drizzle-orm';
import { check, text } from 'drizzle-orm/pg-core';

/** Columns that say where a record comes from (see docs/decisions/0004-provenance.md). */
export function provenanceColumns() {
  return {
    provenanceKind: text('provenance_kind').notNull().default('ENTERED'),
    sourceId: text('source_id'),
    sourceDetail: text('source_detail'),
  };
}

/** The check that keeps `provenance_kind` to the three kinds of data. */
export function provenanceCheck(name: string) {
  return check(name, sql.raw(`provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED')`));
}

/** A check that a text column holds one of `values`. */
export function oneOf(name: string, column: string, values: readonly string[]) {
  return check(name, sql.raw(`${column} in (${values.map((value) => `'${value}'`).join(', ')})`));
}
