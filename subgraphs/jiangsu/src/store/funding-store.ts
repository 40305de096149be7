import { and, asc, eq, or, sql } from 'drizzle-orm';
import { isStorableKey, isUuid } from '@hub/common';
import { amongUuids, amongUuidsAt, prepared, queryRows, uuidList, readingRowsBy, recordAll, recordEntry, sumsByProjectSets, type Db, type OverLimit, type RecordAll, type RecordOnce, type RecordSteps } from '@hub/db';
import type { ProvenanceKind } from '@hub/common';
import { fundingAccounts, fundingEntries, fundingProjectTotals, fundingYearSums, type FundingKind, type YearSummedKind } from '../db/schema.ts';

export type FundingAccountRow = typeof fundingAccounts.$inferSelect;
export type FundingEntryRow = typeof fundingEntries.$inferSelect;

export interface NewFundingEntry {
  projectId: string;
  organizationId: string;
  kind: FundingKind;
  amountFen: bigint;
  note: string | null;
  idempotencyKey: string;
  requestFingerprint: string;
  recordedByRole: string;
  recordedBySubject: string | null;
  /** ENTERED unless the entry is between demo records (left out: ENTERED). */
  provenanceKind?: ProvenanceKind;
}

export type FundingProjectTotalRow = typeof fundingProjectTotals.$inferSelect;

/** One organization's entries of one kind for one project in one year (China Standard Time), summed. */
export interface FundingYearSumRow {
  projectId: string;
  organizationId: string;
  kind: YearSummedKind;
  year: number;
  /** The exact sum in fen, as a decimal string. */
  fen: string;
}

/** A disbursement beyond what the organization committed, with its account as it stands. */
export type OverDisbursement = { type: 'over-disbursement'; account: FundingAccountRow | null };

export type RecordResult = RecordOnce<FundingEntryRow> | OverLimit | OverDisbursement;

/** Exact sums of a set of projects' totals, as decimal strings of fen (SQL numeric). */
export interface FundingSums {
  pledgedFen: string;
  committedFen: string;
  disbursedFen: string;
}

const SUMMED = {
  pledgedFen: fundingProjectTotals.pledgedFen,
  committedFen: fundingProjectTotals.committedFen,
  disbursedFen: fundingProjectTotals.disbursedFen,
} as const satisfies Record<keyof FundingSums, unknown>;

const TOTAL_COLUMN = {
  PLEDGE: 'pledgedFen',
  COMMITMENT: 'committedFen',
  DISBURSEMENT: 'disbursedFen',
} as const satisfies Record<FundingKind, keyof FundingAccountRow>;

/** All SQL of Jiangsu's funding ledger. */
export class FundingStore {
  constructor(private readonly db: Db) {}

  accountsByProjects(projectIds: readonly string[]): Promise<FundingAccountRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return readingRowsBy(fundingAccounts.projectId, keys, () =>
      prepared(this.db, 'jiangsu.accountsByProjects', (db) =>
        db.select().from(fundingAccounts).where(amongUuidsAt(fundingAccounts.projectId, 'ids')).orderBy(asc(fundingAccounts.organizationId)),
      ).execute({ ids: uuidList(keys) }),
    );
  }

  totalsByProjects(projectIds: readonly string[]): Promise<FundingProjectTotalRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return readingRowsBy(fundingProjectTotals.projectId, keys, () =>
      prepared(this.db, 'jiangsu.totalsByProjects', (db) => db.select().from(fundingProjectTotals).where(amongUuidsAt(fundingProjectTotals.projectId, 'ids'))).execute({
        ids: uuidList(keys),
      }),
    );
  }

  /** The sums of many sets of projects (a funnel's stages) in one statement, exact (see sumsByProjectSets). */
  sumsByProjectSets(sets: readonly string[]): Promise<FundingSums[]> {
    return sumsByProjectSets(this.db, { table: fundingProjectTotals, projectId: fundingProjectTotals.projectId, columns: SUMMED }, sets);
  }

  /**
   * The projects' commitments and disbursements of the given kinds (null: both) by project,
   * organization, kind and the calendar year of recording in China Standard Time, as the year
   * sums keep them (`fundingYearSums`). One statement, the ids as one parameter however many;
   * the sums are exact decimal strings of fen, in the order of the project's UUID (the order of
   * its text under the C collation, and cheaper to sort than the text).
   */
  async sumsByProjectAndYear(projectIds: readonly string[], kinds: readonly YearSummedKind[] | null = null): Promise<FundingYearSumRow[]> {
    if (kinds?.length === 0) return [];
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return [];
    const rows = await readingRowsBy(fundingYearSums.projectId, keys, () =>
      queryRows<{ project_id: string; organization_id: string; kind: YearSummedKind; year: number; fen: string }>(
        this.db,
        sql`
      select s.project_id::text as project_id, s.organization_id, s.kind, s.year, s.amount_fen::text as fen
      from jiangsu.funding_year_sum s
      where ${amongUuids(sql`s.project_id`, keys)} and ${kinds === null ? sql`true` : sql`s.kind in ${[...kinds]}`} and s.amount_fen > 0
      order by s.project_id, s.organization_id, s.kind, s.year`,
      ),
    );
    return rows.map((row) => ({ projectId: row.project_id, organizationId: row.organization_id, kind: row.kind, year: row.year, fen: row.fen }));
  }

  entriesByProjects(projectIds: readonly string[]): Promise<FundingEntryRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return readingRowsBy(fundingEntries.projectId, keys, () =>
      this.db
        .select()
        .from(fundingEntries)
        .where(amongUuids(fundingEntries.projectId, keys))
        .orderBy(asc(fundingEntries.recordedAt), asc(fundingEntries.id)),
    );
  }

  /** The entry recorded under `idempotencyKey` in one organization's books: keys are per organization. */
  async entryByKey(organizationId: string, idempotencyKey: string): Promise<FundingEntryRow | null> {
    // An id no organization can have (a NUL, say) finds nothing without reaching the database.
    if (!isStorableKey(organizationId)) return null;
    const [row] = await this.db.select().from(fundingEntries).where(keyOf(organizationId, idempotencyKey));
    return row ?? null;
  }

  /**
   * Records an entry and adds it to the organization's account for the project, in one
   * transaction. The key, within the organization's books, makes a retry record nothing new;
   * the account's check refuses a disbursement beyond what was committed, and then nothing is
   * written.
   */
  async record(entry: NewFundingEntry): Promise<RecordResult> {
    return recordEntry<FundingEntryRow, OverDisbursement>(
      this.db,
      entrySteps(entry),
      {
        check: 'funding_account_disbursed_within_committed',
        refusal: async () => {
          const [account] = await this.db
            .select()
            .from(fundingAccounts)
            .where(and(eq(fundingAccounts.projectId, entry.projectId), eq(fundingAccounts.organizationId, entry.organizationId)));
          return { type: 'over-disbursement', account: account ?? null };
        },
      },
    );
  }

  /** The entries recorded under these keys, each in its organization's books, in one statement. */
  entriesByKeys(keys: readonly { organizationId: string; idempotencyKey: string }[]): Promise<FundingEntryRow[]> {
    const storable = keys.filter((key) => isStorableKey(key.organizationId));
    if (storable.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(fundingEntries)
      .where(or(...storable.map((key) => keyOf(key.organizationId, key.idempotencyKey))));
  }

  /**
   * Records several entries in ONE transaction, each once by its key: all are recorded, or
   * found recorded for a retry, or none is (a package's commitments, docs/decisions/0023).
   */
  recordAll(entries: readonly NewFundingEntry[]): Promise<RecordAll<FundingEntryRow>> {
    return recordAll(this.db, entries.map(entrySteps));
  }
}

/** An idempotency key names one entry in one organization's books (docs/decisions/0020). */
function keyOf(organizationId: string, idempotencyKey: string) {
  return and(eq(fundingEntries.organizationId, organizationId), eq(fundingEntries.idempotencyKey, idempotencyKey));
}

/**
 * How one entry is written once: inserted unless its key is taken in the organization's books,
 * found by that key for a retry, and added to the organization's account and the project's
 * totals, whose checks hold the invariants and the limits.
 */
function entrySteps(entry: NewFundingEntry): RecordSteps<FundingEntryRow> {
  const column = TOTAL_COLUMN[entry.kind];
  return {
    fingerprint: entry.requestFingerprint,
    insert: async (tx) =>
      (
        await tx
          .insert(fundingEntries)
          .values({ ...entry, currency: 'CNY', provenanceKind: entry.provenanceKind ?? 'ENTERED' })
          .onConflictDoNothing({ target: [fundingEntries.organizationId, fundingEntries.idempotencyKey] })
          .returning()
      )[0],
    findByKey: async (tx) => (await tx.select().from(fundingEntries).where(keyOf(entry.organizationId, entry.idempotencyKey)))[0],
    // The account row exists first (all zeros), so that the checks judge the updated totals,
    // not a proposed row holding only this entry's amount.
    applyToAccount: async (tx) => {
      await tx
        .insert(fundingAccounts)
        .values({ projectId: entry.projectId, organizationId: entry.organizationId })
        .onConflictDoNothing();
      await tx
        .update(fundingAccounts)
        .set({ [column]: sql`${fundingAccounts[column]} + ${entry.amountFen}`, updatedAt: sql`now()` })
        .where(and(eq(fundingAccounts.projectId, entry.projectId), eq(fundingAccounts.organizationId, entry.organizationId)));
      await tx.insert(fundingProjectTotals).values({ projectId: entry.projectId }).onConflictDoNothing();
      await tx
        .update(fundingProjectTotals)
        .set({ [column]: sql`${fundingProjectTotals[column]} + ${entry.amountFen}`, updatedAt: sql`now()` })
        .where(eq(fundingProjectTotals.projectId, entry.projectId));
    },
  };
}
