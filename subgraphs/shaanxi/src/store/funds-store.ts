import { asc, eq, sql } from 'drizzle-orm';
import { isUuid } from '@hub/common';
import { amongUuids, amongUuidsAt, prepared, recordEntry, uuidList, sumsByProjectSets, type Db, type OverLimit, type RecordOnce } from '@hub/db';
import { fundsEntries, projectAccounts, type FundsKind } from '../db/schema.ts';

export type ProjectAccountRow = typeof projectAccounts.$inferSelect;
export type FundsEntryRow = typeof fundsEntries.$inferSelect;

export interface NewFundsEntry {
  projectId: string;
  kind: FundsKind;
  amountFen: bigint;
  fromOrganizationId: string | null;
  purpose: string | null;
  note: string | null;
  idempotencyKey: string;
  requestFingerprint: string;
  recordedByRole: string;
  recordedBySubject: string | null;
}

/** An expenditure beyond what the project received, with its account as it stands. */
export type OverSpending = { type: 'over-spending'; account: ProjectAccountRow | null };

export type FundsRecordResult = RecordOnce<FundsEntryRow> | OverLimit | OverSpending;

/** Exact sums of a set of projects, as decimal strings of fen (SQL numeric). */
export interface FundsSums {
  receivedFen: string;
  spentFen: string;
}

const SUMMED = { receivedFen: projectAccounts.receivedFen, spentFen: projectAccounts.spentFen } as const satisfies Record<
  keyof FundsSums,
  unknown
>;

const TOTAL_COLUMN = { RECEIPT: 'receivedFen', EXPENDITURE: 'spentFen' } as const satisfies Record<FundsKind, keyof ProjectAccountRow>;

/** All SQL of Shaanxi's books: money received for projects and spent on them. */
export class FundsStore {
  constructor(private readonly db: Db) {}

  accountsByProjects(projectIds: readonly string[]): Promise<ProjectAccountRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'shaanxi.accountsByProjects', (db) => db.select().from(projectAccounts).where(amongUuidsAt(projectAccounts.projectId, 'ids'))).execute({
      ids: uuidList(keys),
    });
  }

  /** What the projects of each set (a funnel's stage) received and spent, every set in one statement, exact. */
  sumsByProjectSets(sets: readonly string[]): Promise<FundsSums[]> {
    return sumsByProjectSets(this.db, { table: projectAccounts, projectId: projectAccounts.projectId, columns: SUMMED }, sets);
  }

  entriesByProjects(projectIds: readonly string[]): Promise<FundsEntryRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(fundsEntries)
      .where(amongUuids(fundsEntries.projectId, keys))
      .orderBy(asc(fundsEntries.recordedAt), asc(fundsEntries.id));
  }

  async entryByKey(idempotencyKey: string): Promise<FundsEntryRow | null> {
    const [row] = await this.db.select().from(fundsEntries).where(eq(fundsEntries.idempotencyKey, idempotencyKey));
    return row ?? null;
  }

  /** Records an entry and adds it to the project's account in one transaction (see recordOnce). */
  async record(entry: NewFundsEntry): Promise<FundsRecordResult> {
    const column = TOTAL_COLUMN[entry.kind];
    return recordEntry<FundsEntryRow, OverSpending>(
      this.db,
      {
        fingerprint: entry.requestFingerprint,
        insert: async (tx) =>
          (
            await tx
              .insert(fundsEntries)
              .values({ ...entry, currency: 'CNY', provenanceKind: 'ENTERED' })
              .onConflictDoNothing({ target: fundsEntries.idempotencyKey })
              .returning()
          )[0],
        findByKey: async (tx) =>
          (await tx.select().from(fundsEntries).where(eq(fundsEntries.idempotencyKey, entry.idempotencyKey)))[0],
        // The account row exists first (all zeros), so that the checks judge the updated totals,
        // not a proposed row holding only this entry's amount.
        applyToAccount: async (tx) => {
          await tx.insert(projectAccounts).values({ projectId: entry.projectId }).onConflictDoNothing();
          await tx
            .update(projectAccounts)
            .set({ [column]: sql`${projectAccounts[column]} + ${entry.amountFen}`, updatedAt: sql`now()` })
            .where(eq(projectAccounts.projectId, entry.projectId));
        },
      },
      {
        check: 'project_account_spent_within_received',
        refusal: async () => {
          const [account] = await this.db.select().from(projectAccounts).where(eq(projectAccounts.projectId, entry.projectId));
          return { type: 'over-spending', account: account ?? null };
        },
      },
    );
  }
}
