import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { isUuid } from '@hub/common';
import { bySlot, checkViolation, queryRows, recordOnce, wantedProjectSets, type Db, type RecordOnce } from '@hub/db';
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

export type RecordResult =
  | RecordOnce<FundingEntryRow>
  | { type: 'over-disbursement'; account: FundingAccountRow | null }
  | { type: 'over-limit'; limit: 'ENTRY' | 'PROJECT_TOTAL' };

/** The checks that hold the money limits, by the limit each enforces. */
const LIMIT_CHECKS: Record<string, 'ENTRY' | 'PROJECT_TOTAL'> = {
  funding_entry_amount_within_limit: 'ENTRY',
  funding_account_within_limit: 'PROJECT_TOTAL',
  funding_project_total_within_limit: 'PROJECT_TOTAL',
};

/** Exact sums of a set of projects' totals, as decimal strings of fen (SQL numeric). */
export interface FundingSums {
  pledgedFen: string;
  committedFen: string;
  disbursedFen: string;
}

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

  /**
   * The sums of many sets of projects (a funnel's stages) in one statement, added up by the
   * database as numeric, so no sum is ever rounded however many projects a set holds.
   */
  async sumsByProjectSets(sets: readonly (readonly string[])[]): Promise<FundingSums[]> {
    const zero = { pledgedFen: '0', committedFen: '0', disbursedFen: '0' };
    const wanted = wantedProjectSets(sets);
    if (!wanted) return sets.map(() => zero);
    const rows = await queryRows<FundingSums & { slot: number }>(
      this.db,
      sql`select wanted.slot,
            coalesce(sum(t.pledged_fen), 0)::text as "pledgedFen",
            coalesce(sum(t.committed_fen), 0)::text as "committedFen",
            coalesce(sum(t.disbursed_fen), 0)::text as "disbursedFen"
          from ${wanted} join ${fundingProjectTotals} t on t.project_id = wanted.project_id
          group by wanted.slot`,
    );
    return bySlot(sets, rows, zero);
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

  async entryByKey(idempotencyKey: string): Promise<FundingEntryRow | null> {
    const [row] = await this.db.select().from(fundingEntries).where(eq(fundingEntries.idempotencyKey, idempotencyKey));
    return row ?? null;
  }

  /**
   * Records an entry and adds it to the organization's account for the project, in one
   * transaction. The key makes a retry record nothing new; the account's check refuses a
   * disbursement beyond what was committed, and then nothing is written.
   */
  async record(entry: NewFundingEntry): Promise<RecordResult> {
    const column = TOTAL_COLUMN[entry.kind];
    try {
      return await recordOnce<FundingEntryRow>(this.db, {
        fingerprint: entry.requestFingerprint,
        insert: async (tx) =>
          (
            await tx
              .insert(fundingEntries)
              .values({ ...entry, currency: 'CNY', provenanceKind: 'ENTERED' })
              .onConflictDoNothing({ target: fundingEntries.idempotencyKey })
              .returning()
          )[0],
        findByKey: async (tx) =>
          (await tx.select().from(fundingEntries).where(eq(fundingEntries.idempotencyKey, entry.idempotencyKey)))[0],
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
      });
    } catch (error) {
      const violated = checkViolation(error);
      const limit = violated === null ? undefined : LIMIT_CHECKS[violated];
      if (limit) return { type: 'over-limit', limit };
      if (violated === 'funding_account_disbursed_within_committed') {
        const [account] = await this.db
          .select()
          .from(fundingAccounts)
          .where(and(eq(fundingAccounts.projectId, entry.projectId), eq(fundingAccounts.organizationId, entry.organizationId)));
        return { type: 'over-disbursement', account: account ?? null };
      }
      throw error;
    }
  }
}
