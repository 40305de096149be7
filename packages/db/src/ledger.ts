import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { queryRows, type Db } from './database.ts';
import { checkViolation } from './pg-errors.ts';
import { bySlot, wantedProjectSets } from './project-sets.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type RecordOnce<Entry> = { type: 'recorded'; entry: Entry; replayed: boolean } | { type: 'key-reused' };

/** How one record is written once: its insert, its lookup by key, and what else it changes. */
export interface RecordSteps<Entry> {
  fingerprint: string;
  insert(tx: Tx): Promise<Entry | undefined>;
  findByKey(tx: Tx): Promise<Entry | undefined>;
  /** Left out for a record that is not money: a new organization or need is the whole write. */
  applyToAccount?(tx: Tx, entry: Entry): Promise<unknown>;
}

/**
 * The idempotent write both provinces' ledgers share, in one transaction: insert the entry
 * unless its idempotency key is taken; if it is, the earlier entry is the answer when it asked
 * for the same thing (a retry), and a reused key otherwise. A new entry is then applied to its
 * account, whose checks enforce the invariants: when one fails, the whole write rolls back.
 */
export function recordOnce<Entry extends { requestFingerprint: string | null }>(db: Db, steps: RecordSteps<Entry>): Promise<RecordOnce<Entry>> {
  return db.transaction((tx) => recordOnceIn(tx, steps));
}

/** recordOnce's steps inside a transaction the caller holds. */
async function recordOnceIn<Entry extends { requestFingerprint: string | null }>(tx: Tx, steps: RecordSteps<Entry>): Promise<RecordOnce<Entry>> {
  const inserted = await steps.insert(tx);
  if (!inserted) {
    const existing = await steps.findByKey(tx);
    return existing && existing.requestFingerprint === steps.fingerprint
      ? { type: 'recorded', entry: existing, replayed: true }
      : { type: 'key-reused' };
  }
  await steps.applyToAccount?.(tx, inserted);
  return { type: 'recorded', entry: inserted, replayed: false };
}

/** What recording several entries together came to; a refusal names the entry (from 0) that caused it. */
export type RecordAll<Entry> =
  | { type: 'recorded'; entries: Entry[] }
  | { type: 'key-reused'; index: number }
  | (OverLimit & { index: number })
  | { type: 'refused'; index: number; check: string };

/** Thrown inside recordAll's transaction to roll it back; carries what the caller is told. */
class Refused extends Error {
  constructor(readonly outcome: Exclude<RecordAll<never>, { type: 'recorded' }>) {
    super('refused');
  }
}

/**
 * Several entries, each written once by its key, in ONE transaction: all are recorded (or
 * found recorded, for a retry) or none is. A reused key, a money limit or another of the
 * accounts' checks refusing any entry rolls the whole back and names that entry.
 */
export async function recordAll<Entry extends { requestFingerprint: string | null }>(
  db: Db,
  entries: readonly RecordSteps<Entry>[],
): Promise<RecordAll<Entry>> {
  try {
    return await db.transaction(async (tx) => {
      const recorded: Entry[] = [];
      for (const [index, steps] of entries.entries()) {
        let outcome: RecordOnce<Entry>;
        try {
          outcome = await recordOnceIn(tx, steps);
        } catch (error) {
          // The statement failed and the transaction with it: say which entry, then roll back.
          const limit = overLimit(error);
          if (limit) throw new Refused({ ...limit, index });
          const check = checkViolation(error);
          if (check !== null) throw new Refused({ type: 'refused', index, check });
          throw error;
        }
        if (outcome.type === 'key-reused') throw new Refused({ type: 'key-reused', index });
        recorded.push(outcome.entry);
      }
      return { type: 'recorded' as const, entries: recorded };
    });
  } catch (error) {
    if (error instanceof Refused) return error.outcome;
    throw error;
  }
}

/** Which money limit a refused write would have crossed (docs/decisions/0012). */
export type MoneyLimit = 'ENTRY' | 'PROJECT_TOTAL';

export type OverLimit = { type: 'over-limit'; limit: MoneyLimit };

/**
 * The checks that hold the money limits in both provinces' tables, by the limit each enforces.
 * The database is the last word on a limit, so a refused write is known by its check's name.
 */
const MONEY_LIMIT_CHECKS: ReadonlyMap<string, MoneyLimit> = new Map([
  ['funding_entry_amount_within_limit', 'ENTRY'],
  ['funds_entry_amount_within_limit', 'ENTRY'],
  ['funding_account_within_limit', 'PROJECT_TOTAL'],
  ['funding_project_total_within_limit', 'PROJECT_TOTAL'],
  ['project_account_within_limit', 'PROJECT_TOTAL'],
  ['project_need_amount_within_limit', 'PROJECT_TOTAL'],
]);

/** The money limit whose check refused a write, or null when the error is anything else. */
export function overLimit(error: unknown): OverLimit | null {
  const violated = checkViolation(error);
  const limit = violated === null ? undefined : MONEY_LIMIT_CHECKS.get(violated);
  return limit ? { type: 'over-limit', limit } : null;
}

/** Runs a write; a money limit's check refusing it answers `over-limit` instead of throwing. */
export async function unlessOverLimit<T>(write: () => Promise<T>): Promise<T | OverLimit> {
  try {
    return await write();
  } catch (error) {
    const limit = overLimit(error);
    if (limit) return limit;
    throw error;
  }
}

/**
 * recordOnce for a ledger entry. A write its account's checks refuse rolls back whole and is
 * answered, not thrown: `over-limit` for a limit, and for the account's own invariant (disbursed
 * within committed, spent within received) whatever `invariant.refusal` reads back.
 */
export async function recordEntry<Entry extends { requestFingerprint: string | null }, Refusal>(
  db: Db,
  steps: Parameters<typeof recordOnce<Entry>>[1],
  invariant: { check: string; refusal(): Promise<Refusal> },
): Promise<RecordOnce<Entry> | OverLimit | Refusal> {
  try {
    return await recordOnce<Entry>(db, steps);
  } catch (error) {
    const limit = overLimit(error);
    if (limit) return limit;
    if (checkViolation(error) === invariant.check) return invariant.refusal();
    throw error;
  }
}

/**
 * Sums of `columns` of `table` over many sets of projects (a funnel's stages, each its ids in one
 * text, comma-separated: `wantedProjectSets`) in one statement, added up by the database as
 * numeric and read as decimal strings, so no sum is ever rounded however many projects a set
 * holds. A set with no rows sums to '0'; `where` narrows the rows summed.
 */
export async function sumsByProjectSets<Name extends string>(
  db: Db,
  source: { table: PgTable; projectId: PgColumn; columns: Record<Name, PgColumn>; where?: SQL },
  sets: readonly string[],
): Promise<Record<Name, string>[]> {
  const names = Object.keys(source.columns) as Name[];
  const zero = Object.fromEntries(names.map((name) => [name, '0'])) as Record<Name, string>;
  const wanted = wantedProjectSets(sets);
  if (!wanted) return sets.map(() => zero);
  const sums = sql.join(
    names.map((name) => sql`coalesce(sum(${source.columns[name]}), 0)::text as ${sql.identifier(name)}`),
    sql`, `,
  );
  const rows = await queryRows<Record<Name, string> & { slot: number }>(
    db,
    sql`select wanted.slot, ${sums}
        from ${wanted} join ${source.table} on ${source.projectId} = wanted.project_id
        ${source.where ? sql`where ${source.where}` : sql``}
        group by wanted.slot`,
  );
  return bySlot(sets, rows, zero);
}
