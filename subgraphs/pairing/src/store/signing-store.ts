import { kindOfNewRecord } from '@hub/common';
import { and, asc, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '@hub/db';
import {
  ceremonies,
  ceremonyPackageLines,
  ceremonyPackages,
  ceremonyProjects,
  packageSignings,
  projectPipelines,
  stageEvents,
  type PackageStatus,
} from '../db/schema.ts';

export type SigningRow = typeof packageSignings.$inferSelect;
type PackageRow = typeof ceremonyPackages.$inferSelect;

/** Who started a signing: the stage events of its projects name them. */
export interface SigningActor {
  role: string;
  subject: string | null;
}

export type DecideResult =
  | { type: 'decided'; signing: SigningRow }
  /** The package left FINAL before this decision (another signing, a later version). */
  | { type: 'not-final'; status: PackageStatus }
  /** Lines whose project is not at SCHEDULED in this ceremony's batch, or is held by another signing. */
  | { type: 'not-scheduled'; positions: number[] };

export type CompleteResult =
  | { type: 'signed'; package: PackageRow }
  /** Nothing to do: the package is not being signed (signed already, or taken back). */
  | { type: 'not-signing'; status: PackageStatus };

/** Thrown inside a transaction to roll it back with an answer for the caller. */
class Rollback<T> extends Error {
  constructor(readonly result: T) {
    super('rolled back');
  }
}

/**
 * All SQL of signing a package (docs/decisions/0023-signing-a-package.md): the decision, the
 * claim a try holds, the completion and the taking back. Each is one transaction.
 */
export class SigningStore {
  constructor(private readonly db: Db) {}

  async packageById(packageId: string): Promise<PackageRow | null> {
    const [row] = await this.db.select().from(ceremonyPackages).where(eq(ceremonyPackages.id, packageId));
    return row ?? null;
  }

  async signingOf(packageId: string): Promise<SigningRow | null> {
    const [row] = await this.db.select().from(packageSignings).where(eq(packageSignings.packageId, packageId));
    return row ?? null;
  }

  /** Packages being signed, oldest signing first: what the recovery tries again. */
  async pendingPackageIds(): Promise<string[]> {
    const rows = await this.db
      .select({ packageId: packageSignings.packageId })
      .from(packageSignings)
      .innerJoin(ceremonyPackages, eq(ceremonyPackages.id, packageSignings.packageId))
      .where(eq(ceremonyPackages.status, 'SIGNING'))
      .orderBy(asc(packageSignings.startedAt));
    return rows.map((row) => row.packageId);
  }

  /**
   * Decides a signing, in one transaction: the package goes from FINAL to SIGNING; every line's
   * project, at SCHEDULED in this ceremony's batch and held by no other signing, is held for
   * this one (`signing_package_id`), and unless every line's project is, nothing is written;
   * the signing row is the outbox its next steps are tried from, claimed for `claimMs` by the
   * caller, who tries them at once. A signing taken back earlier is started afresh.
   */
  async decide(pkg: PackageRow, actor: SigningActor, claimMs: number): Promise<DecideResult> {
    try {
      return await this.db.transaction(async (tx): Promise<DecideResult> => {
        const [moved] = await tx
          .update(ceremonyPackages)
          .set({ status: 'SIGNING' })
          .where(and(eq(ceremonyPackages.id, pkg.id), eq(ceremonyPackages.status, 'FINAL')))
          .returning({ id: ceremonyPackages.id });
        if (!moved) {
          const [now] = await tx.select({ status: ceremonyPackages.status }).from(ceremonyPackages).where(eq(ceremonyPackages.id, pkg.id));
          return { type: 'not-final', status: now?.status ?? pkg.status };
        }
        const held = await tx
          .update(projectPipelines)
          .set({ signingPackageId: pkg.id })
          .where(
            and(
              eq(projectPipelines.stage, 'SCHEDULED'),
              isNull(projectPipelines.signingPackageId),
              inArray(
                projectPipelines.projectId,
                tx.select({ id: ceremonyPackageLines.projectId }).from(ceremonyPackageLines).where(eq(ceremonyPackageLines.packageId, pkg.id)),
              ),
              inArray(
                projectPipelines.projectId,
                tx.select({ id: ceremonyProjects.projectId }).from(ceremonyProjects).where(eq(ceremonyProjects.ceremonyId, pkg.ceremonyId)),
              ),
            ),
          )
          .returning({ projectId: projectPipelines.projectId });
        const lines = await tx
          .select({ position: ceremonyPackageLines.position, projectId: ceremonyPackageLines.projectId })
          .from(ceremonyPackageLines)
          .where(eq(ceremonyPackageLines.packageId, pkg.id))
          .orderBy(asc(ceremonyPackageLines.position));
        if (held.length !== lines.length) {
          const heldIds = new Set(held.map((row) => row.projectId));
          throw new Rollback<DecideResult>({
            type: 'not-scheduled',
            positions: lines.filter((line) => !heldIds.has(line.projectId)).map((line) => line.position),
          });
        }
        const started = {
          startedAt: sql`now()`,
          startedByRole: actor.role,
          startedBySubject: actor.subject,
          commitmentsRecordedAt: null,
          completedAt: null,
          attempts: 1,
          lastError: null,
          claimedUntil: claimEnd(claimMs),
        };
        const [signing] = await tx
          .insert(packageSignings)
          .values({ packageId: pkg.id, ...started })
          .onConflictDoUpdate({ target: packageSignings.packageId, set: started })
          .returning();
        return { type: 'decided', signing: signing! };
      });
    } catch (error) {
      if (error instanceof Rollback) return error.result as DecideResult;
      throw error;
    }
  }

  /**
   * Claims the next try of a signing for `claimMs`, counting it; null when the package is not
   * being signed or another try holds an unexpired claim.
   */
  async claim(packageId: string, claimMs: number): Promise<SigningRow | null> {
    const [row] = await this.db
      .update(packageSignings)
      .set({ claimedUntil: claimEnd(claimMs), attempts: sql`${packageSignings.attempts} + 1` })
      .where(
        and(
          eq(packageSignings.packageId, packageId),
          isNull(packageSignings.completedAt),
          or(isNull(packageSignings.claimedUntil), lt(packageSignings.claimedUntil, sql`now()`)),
          sql`exists (select 1 from ${ceremonyPackages} where ${ceremonyPackages.id} = ${packageSignings.packageId} and ${ceremonyPackages.status} = 'SIGNING')`,
        ),
      )
      .returning();
    return row ?? null;
  }

  /**
   * Ends a try that did not finish: its claim is let go and why is kept for the next one. Only
   * the claim the try took (its end, to the millisecond, as the try read it): a try that ran
   * past its claim, which another has taken since, leaves that one's claim and reason alone,
   * and a completed signing keeps no reason.
   */
  async release(claimed: Pick<SigningRow, 'packageId' | 'claimedUntil'>, lastError: string): Promise<void> {
    if (!claimed.claimedUntil) return;
    await this.db
      .update(packageSignings)
      .set({ claimedUntil: null, lastError })
      .where(
        and(
          eq(packageSignings.packageId, claimed.packageId),
          isNull(packageSignings.completedAt),
          sql`date_trunc('milliseconds', ${packageSignings.claimedUntil}) = ${claimed.claimedUntil.toISOString()}::timestamptz`,
        ),
      );
  }

  /** Step 2 is done: the Jiangsu books hold every line's commitment. */
  async commitmentsRecorded(packageId: string): Promise<void> {
    await this.db
      .update(packageSignings)
      .set({ commitmentsRecordedAt: sql`now()` })
      .where(and(eq(packageSignings.packageId, packageId), isNull(packageSignings.commitmentsRecordedAt)));
  }

  /**
   * Step 3, in one transaction: every project held for the package moves SCHEDULED → SIGNED
   * with a stage event naming who started the signing, and is let go; the package is SIGNED,
   * the signing complete, and the ceremony declares the package's count and total. Only after
   * the commitments are recorded; a package no longer SIGNING is left as it is.
   */
  async complete(packageId: string, note: string): Promise<CompleteResult> {
    return this.db.transaction(async (tx): Promise<CompleteResult> => {
      const [pkg] = await tx.select().from(ceremonyPackages).where(eq(ceremonyPackages.id, packageId)).for('update');
      if (!pkg) throw new Error(`package ${packageId} vanished while being signed`);
      const [signing] = await tx.select().from(packageSignings).where(eq(packageSignings.packageId, packageId));
      if (pkg.status !== 'SIGNING' || !signing) return { type: 'not-signing', status: pkg.status };
      if (!signing.commitmentsRecordedAt) throw new Error(`package ${packageId}: completing a signing whose commitments are not recorded`);

      const [figures] = await tx
        .select({ count: sql<number>`count(*)::int`, totalFen: sql<string>`coalesce(sum(${ceremonyPackageLines.amountFen}), 0)::text` })
        .from(ceremonyPackageLines)
        .where(eq(ceremonyPackageLines.packageId, packageId));
      const signed = await tx
        .update(projectPipelines)
        .set({ stage: 'SIGNED', version: sql`${projectPipelines.version} + 1`, signingPackageId: null, updatedAt: sql`now()` })
        .where(and(eq(projectPipelines.signingPackageId, packageId), eq(projectPipelines.stage, 'SCHEDULED')))
        .returning();
      if (signed.length !== figures!.count) {
        throw new Error(`package ${packageId}: ${figures!.count} lines but ${signed.length} projects held for its signing`);
      }
      if (signed.length > 0) await tx.insert(stageEvents).values(
        signed.map((project) => ({
          projectId: project.projectId,
          sequence: project.version,
          fromStage: 'SCHEDULED' as const,
          toStage: 'SIGNED' as const,
          actorRole: signing.startedByRole,
          actorSubject: signing.startedBySubject,
          note,
          ceremonyId: pkg.ceremonyId,
          provenanceKind: kindOfNewRecord(project.provenanceKind),
        })),
      );
      const [done] = await tx
        .update(ceremonyPackages)
        .set({ status: 'SIGNED', signedAt: sql`now()` })
        .where(eq(ceremonyPackages.id, packageId))
        .returning();
      await tx
        .update(packageSignings)
        .set({ completedAt: sql`now()`, claimedUntil: null, lastError: null })
        .where(eq(packageSignings.packageId, packageId));
      await tx
        .update(ceremonies)
        .set({ declaredProjectCount: figures!.count, declaredTotalFen: BigInt(figures!.totalFen) })
        .where(eq(ceremonies.id, pkg.ceremonyId));
      return { type: 'signed', package: done! };
    });
  }

  /**
   * Takes a signing back after the Jiangsu books refused it, in one transaction: the package is
   * FINAL again and its projects are let go; the signing row keeps why. Only while no
   * commitment is recorded; false when there was nothing to take back.
   */
  async takeBack(packageId: string, reason: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [back] = await tx
        .update(ceremonyPackages)
        .set({ status: 'FINAL' })
        .where(
          and(
            eq(ceremonyPackages.id, packageId),
            eq(ceremonyPackages.status, 'SIGNING'),
            sql`not exists (select 1 from ${packageSignings} where ${packageSignings.packageId} = ${ceremonyPackages.id} and ${isNotNull(packageSignings.commitmentsRecordedAt)})`,
          ),
        )
        .returning({ id: ceremonyPackages.id });
      if (!back) return false;
      await tx.update(projectPipelines).set({ signingPackageId: null }).where(eq(projectPipelines.signingPackageId, packageId));
      await tx.update(packageSignings).set({ claimedUntil: null, lastError: reason }).where(eq(packageSignings.packageId, packageId));
      return true;
    });
  }
}

/** The end of a claim taken now, by the database's clock, which every process shares. */
function claimEnd(claimMs: number) {
  return sql`now() + ${`${Math.max(1, Math.round(claimMs))} milliseconds`}::interval`;
}
