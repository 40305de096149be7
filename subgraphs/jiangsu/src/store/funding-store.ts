import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { isStorableKey, isUuid } from '@hub/common';
import { recordEntry, sumsByProjectSets, type Db, type OverLimit, type RecordOnce } from '@hub/db';
import { fundingAccounts, fundingEntries, fundingProjectTotals, type FundingKind } from '../db/schema.ts';

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
}

export type FundingProjectTotalRow = typeof fundingProjectTotals.$inferSelect;

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
    return this.db
      .select()
      .from(fundingAccounts)
      .where(inArray(fundingAccounts.projectId, keys))
      .orderBy(asc(fundingAccounts.organizationId));
  }

  totalsByProjects(projectIds: readonly string[]): Promise<FundingProjectTotalRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(fundingProjectTotals).where(inArray(fundingProjectTotals.projectId, keys));
  }

  /** The sums of many sets of projects (a funnel's stages) in one statement, exact (see sumsByProjectSets). */
  sumsByProjectSets(sets: readonly (readonly string[])[]): Promise<FundingSums[]> {
    return sumsByProjectSets(this.db, { table: fundingProjectTotals, projectId: fundingProjectTotals.projectId, columns: SUMMED }, sets);
  }

  entriesByProjects(projectIds: readonly string[]): Promise<FundingEntryRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(fundingEntries)
      .where(inArray(fundingEntries.projectId, keys))
      .orderBy(asc(fundingEntries.recordedAt), asc(fundingEntries.id));
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
    const column = TOTAL_COLUMN[entry.kind];
    return recordEntry<FundingEntryRow, OverDisbursement>(
      this.db,
      {
        fingerprint: entry.requestFingerprint,
        insert: async (tx) =>
          (
            await tx
              .insert(fundingEntries)
              .values({ ...entry, currency: 'CNY', provenanceKind: 'ENTERED' })
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
      },
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
}

/** An idempotency key names one entry in one organization's books (docs/decisions/0020). */
function keyOf(organizationId: string, idempotencyKey: string) {
  return and(eq(fundingEntries.organizationId, organizationId), eq(fundingEntries.idempotencyKey, idempotencyKey));
}
