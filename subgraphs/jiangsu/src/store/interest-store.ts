import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { isStorableKey, isUuid, type ProvenanceKind } from '@hub/common';
import { uniqueViolation, type Db } from '@hub/db';
import { projectInterests } from '../db/schema.ts';

export type ProjectInterestRow = typeof projectInterests.$inferSelect;

export interface NewProjectInterest {
  projectId: string;
  organizationId: string;
  note: string;
  amountInMindFen: bigint | null;
  idempotencyKey: string;
  requestFingerprint: string;
  expressedByRole: string;
  expressedBySubject: string | null;
  provenanceKind: ProvenanceKind;
}

/**
 * What expressing an interest came to: written, or found written by an earlier copy of the same
 * request (the caller gets the same interest either way), or refused by an index.
 */
export type ExpressOutcome =
  | { type: 'expressed'; interest: ProjectInterestRow }
  | { type: 'already-expressed' }
  | { type: 'key-reused' };

export type WithdrawOutcome = { type: 'withdrawn'; interest: ProjectInterestRow } | { type: 'not-standing' };

/** One standing interest per project and organization; a withdrawn one leaves the index. */
const STANDING_UNIQUE = 'project_interest_standing_unique';
/** A key names one expression in one organization's word, as ledger keys do (docs/decisions/0020). */
const KEY_UNIQUE = 'project_interest_organization_idempotency_key_unique';

/** All SQL of organizations' interest in projects (docs/decisions/0026-matching.md). */
export class InterestStore {
  constructor(private readonly db: Db) {}

  /** Every interest in the projects, withdrawn ones too, newest first. */
  interestsByProjects(projectIds: readonly string[]): Promise<ProjectInterestRow[]> {
    const keys = projectIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(projectInterests)
      .where(inArray(projectInterests.projectId, keys))
      .orderBy(desc(projectInterests.expressedAt), desc(projectInterests.id));
  }

  /** Every interest the organizations expressed, withdrawn ones too, newest first. */
  interestsByOrganizations(organizationIds: readonly string[]): Promise<ProjectInterestRow[]> {
    const keys = organizationIds.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(projectInterests)
      .where(inArray(projectInterests.organizationId, keys))
      .orderBy(desc(projectInterests.expressedAt), desc(projectInterests.id));
  }

  /** The interest expressed under `idempotencyKey` by one organization: keys are per organization. */
  async interestByKey(organizationId: string, idempotencyKey: string): Promise<ProjectInterestRow | null> {
    if (!isStorableKey(organizationId)) return null;
    const [row] = await this.db.select().from(projectInterests).where(keyOf(organizationId, idempotencyKey));
    return row ?? null;
  }

  /**
   * Writes an interest, one statement. The indexes decide what checks before it cannot, when
   * two requests pass them at once: a second standing interest of the organization in the
   * project is `already-expressed`; a key taken is a retry when it asked for the same thing,
   * and `key-reused` otherwise. A refused write leaves nothing behind.
   */
  async insert(interest: NewProjectInterest): Promise<ExpressOutcome> {
    try {
      const [row] = await this.db.insert(projectInterests).values(interest).returning();
      return { type: 'expressed', interest: row! };
    } catch (error) {
      const violated = uniqueViolation(error);
      if (violated === KEY_UNIQUE) return (await this.replayOf(interest)) ?? { type: 'key-reused' };
      // A copy of this very request, written a moment earlier, takes both the key and the
      // standing place; whichever index the database checks first, it is a retry.
      if (violated === STANDING_UNIQUE) return (await this.replayOf(interest)) ?? { type: 'already-expressed' };
      throw error;
    }
  }

  /** Withdraws the organization's standing interest in the project; `not-standing` when there is none. */
  async withdraw(projectId: string, organizationId: string, withdrawnBySubject: string | null): Promise<WithdrawOutcome> {
    if (!isUuid(projectId) || !isStorableKey(organizationId)) return { type: 'not-standing' };
    const [row] = await this.db
      .update(projectInterests)
      .set({ withdrawnAt: sql`now()`, withdrawnBySubject })
      .where(
        and(
          eq(projectInterests.projectId, projectId),
          eq(projectInterests.organizationId, organizationId),
          isNull(projectInterests.withdrawnAt),
        ),
      )
      .returning();
    return row ? { type: 'withdrawn', interest: row } : { type: 'not-standing' };
  }

  /**
   * The interest already under the request's key: the same request's is the answer, another
   * request's makes the key reused; null when the key is free.
   */
  private async replayOf(interest: NewProjectInterest): Promise<ExpressOutcome | null> {
    const earlier = await this.interestByKey(interest.organizationId, interest.idempotencyKey);
    if (!earlier) return null;
    return earlier.requestFingerprint === interest.requestFingerprint
      ? { type: 'expressed', interest: earlier }
      : { type: 'key-reused' };
  }
}

function keyOf(organizationId: string, idempotencyKey: string) {
  return and(eq(projectInterests.organizationId, organizationId), eq(projectInterests.idempotencyKey, idempotencyKey));
}
