import { sql } from 'drizzle-orm';
import { bigint, check, text, timestamp } from 'drizzle-orm/pg-core';
import type { ProvenanceKind } from '@hub/common';

/** Columns that say where a record comes from (see docs/decisions/0004-provenance.md). */
export function provenanceColumns() {
  return {
    provenanceKind: text('provenance_kind').$type<ProvenanceKind>().notNull().default('ENTERED'),
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

/**
 * Columns every ledger entry has, in both provinces: money in integer fen and its currency,
 * the idempotency key with a fingerprint of what was asked, and who recorded it when.
 */
export function ledgerEntryColumns() {
  return {
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull().default('CNY'),
    note: text('note'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
    recordedByRole: text('recorded_by_role').notNull(),
    recordedBySubject: text('recorded_by_subject'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
  };
}

/**
 * Columns of a record a creating mutation makes: the caller's optional idempotency key and a
 * fingerprint of what was asked, so a retry returns the record made first (see createOnce).
 */
export function creationKeyColumns() {
  return {
    idempotencyKey: text('idempotency_key'),
    requestFingerprint: text('request_fingerprint'),
  };
}
