import { and, asc, desc, eq, gt, inArray, max, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { isStorableKey, isUuid } from '@hub/common';
import { uniqueViolation, type Db } from '@hub/db';
import {
  ceremonyPackageLines,
  ceremonyPackages,
  ceremonyProjects,
  packageProjectClaims,
  packageSignings,
  projectPipelines,
  type PackageStatus,
  type Stage,
} from '../db/schema.ts';
import type { PackageCheckResult } from '../package-checks.ts';

export type PackageRow = typeof ceremonyPackages.$inferSelect;
export type PackageLineRow = typeof ceremonyPackageLines.$inferSelect;
export type PackageSigningRow = typeof packageSignings.$inferSelect;
export type PackageClaimRow = typeof packageProjectClaims.$inferSelect;

/** A package version with its lines, in order. */
export interface PackageWithLines {
  package: PackageRow;
  lines: PackageLineRow[];
}

/** What the pipeline says of a project, for the checks and for saving a package. */
export interface ProjectPipelineFacts {
  projectId: string;
  stage: Stage;
  matchedOrganizationId: string | null;
  /** The ceremony whose batch it is in, if any. */
  ceremonyId: string | null;
  /** Whether the pipeline has published it (a stage event to PUBLISHED). */
  published: boolean;
}

/** A project scheduled for a ceremony now, as a package's default line starts from it. */
export interface ScheduledProject {
  projectId: string;
  matchedOrganizationId: string | null;
}

export type NewPackage = Pick<
  typeof ceremonyPackages.$inferInsert,
  'ceremonyId' | 'version' | 'statedTotalFen' | 'createdByRole' | 'createdBySubject' | 'provenanceKind' | 'sourceId' | 'sourceDetail'
>;
export type NewPackageLine = Omit<typeof ceremonyPackageLines.$inferInsert, 'packageId'>;

export type SaveDraftResult = { type: 'saved'; package: PackageRow } | { type: 'version-conflict' };

/** What finalization freezes into the package row. */
export interface Freeze {
  contentHash: string;
  checks: PackageCheckResult[];
  finalizedByRole: string;
  finalizedBySubject: string | null;
}

export type FinalizeResult =
  | { type: 'finalized'; package: PackageRow; superseded: string[] }
  /** The ceremony has a package being signed or signed: it is never superseded. */
  | { type: 'signed'; version: number; status: PackageStatus }
  /** The package is no longer a draft, or no longer the ceremony's latest version. */
  | { type: 'not-draft'; status: PackageStatus }
  | { type: 'not-latest'; latestVersion: number }
  /** Another ceremony's package claimed these projects first (the claim's primary key). */
  | { type: 'claimed'; claims: PackageClaimRow[] };

const VERSION_UNIQUE = 'ceremony_package_version_unique';
const CLAIM_PRIMARY_KEY = 'package_project_claim_pkey';
const STANDING: PackageStatus[] = ['FINAL', 'SIGNING', 'SIGNED'];

/** All SQL of ceremony packages. Batch methods take many keys and send one statement. */
export class PackageStore {
  constructor(private readonly db: Db) {}

  packagesOfCeremonies(ceremonyIds: readonly string[]): Promise<PackageRow[]> {
    const keys = ceremonyIds.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(ceremonyPackages)
      .where(inArray(ceremonyPackages.ceremonyId, keys))
      .orderBy(asc(ceremonyPackages.ceremonyId), asc(ceremonyPackages.version));
  }

  linesOfPackages(packageIds: readonly string[]): Promise<PackageLineRow[]> {
    const keys = packageIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(ceremonyPackageLines)
      .where(inArray(ceremonyPackageLines.packageId, keys))
      .orderBy(asc(ceremonyPackageLines.packageId), asc(ceremonyPackageLines.position));
  }

  signingsOfPackages(packageIds: readonly string[]): Promise<PackageSigningRow[]> {
    const keys = packageIds.filter(isUuid);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(packageSignings).where(inArray(packageSignings.packageId, keys));
  }

  async packageByVersion(ceremonyId: string, version: number): Promise<PackageRow | null> {
    if (!isStorableKey(ceremonyId) || !Number.isSafeInteger(version)) return null;
    const [row] = await this.db
      .select()
      .from(ceremonyPackages)
      .where(and(eq(ceremonyPackages.ceremonyId, ceremonyId), eq(ceremonyPackages.version, version)));
    return row ?? null;
  }

  /** A package version and its lines, in order; null when the ceremony has no such version. */
  async packageWithLines(ceremonyId: string, version: number): Promise<PackageWithLines | null> {
    const row = await this.packageByVersion(ceremonyId, version);
    if (!row) return null;
    return { package: row, lines: await this.linesOfPackages([row.id]) };
  }

  /** The ceremony's latest package version; 0 when it has none. */
  async latestVersion(ceremonyId: string): Promise<number> {
    const [row] = await this.db
      .select({ version: max(ceremonyPackages.version) })
      .from(ceremonyPackages)
      .where(eq(ceremonyPackages.ceremonyId, ceremonyId));
    return row?.version ?? 0;
  }

  /** Projects at SCHEDULED in the ceremony's batch, in the order they joined it. */
  scheduledProjects(ceremonyId: string): Promise<ScheduledProject[]> {
    return this.db
      .select({ projectId: ceremonyProjects.projectId, matchedOrganizationId: projectPipelines.matchedOrganizationId })
      .from(ceremonyProjects)
      .innerJoin(projectPipelines, eq(projectPipelines.projectId, ceremonyProjects.projectId))
      .where(and(eq(ceremonyProjects.ceremonyId, ceremonyId), eq(projectPipelines.stage, 'SCHEDULED')))
      .orderBy(asc(ceremonyProjects.addedAt), asc(ceremonyProjects.projectId));
  }

  /** Each project's stage, match and batch; projects the pipeline has not seen are left out. */
  pipelineFacts(projectIds: readonly string[]): Promise<ProjectPipelineFacts[]> {
    const keys = [...new Set(projectIds.filter(isUuid).map((id) => id.toLowerCase()))];
    if (keys.length === 0) return Promise.resolve([]);
    return this.db
      .select({
        projectId: projectPipelines.projectId,
        stage: projectPipelines.stage,
        matchedOrganizationId: projectPipelines.matchedOrganizationId,
        ceremonyId: ceremonyProjects.ceremonyId,
        published: projectPipelines.everPublished,
      })
      .from(projectPipelines)
      .leftJoin(ceremonyProjects, eq(ceremonyProjects.projectId, projectPipelines.projectId))
      .where(inArray(projectPipelines.projectId, keys));
  }

  /** Which standing package holds each of these projects. */
  claimsOfProjects(projectIds: readonly string[]): Promise<PackageClaimRow[]> {
    const keys = [...new Set(projectIds.filter(isUuid).map((id) => id.toLowerCase()))];
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(packageProjectClaims).where(inArray(packageProjectClaims.projectId, keys));
  }

  /**
   * Saves a new draft version with its lines, in one transaction. The unique (ceremony,
   * version) index decides between two saves at one version: one is saved, the other is a
   * `version-conflict` and writes nothing.
   */
  async saveDraft(draft: NewPackage, lines: readonly NewPackageLine[]): Promise<SaveDraftResult> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(ceremonyPackages)
          .values({ ...draft, status: 'DRAFT' })
          .returning();
        if (lines.length > 0) {
          await tx.insert(ceremonyPackageLines).values(lines.map((line) => ({ ...line, packageId: row!.id })));
        }
        return { type: 'saved' as const, package: row! };
      });
    } catch (error) {
      if (uniqueViolation(error) === VERSION_UNIQUE) return { type: 'version-conflict' };
      throw error;
    }
  }

  /**
   * Freezes a draft, in one transaction: it becomes FINAL with its hash and checks, the
   * ceremony's earlier final package is SUPERSEDED and gives up its projects, and this one
   * claims its own. The ceremony's standing packages are locked first, so a signing starting at
   * the same moment either waits for this and then finds its package superseded, or signs first
   * and is seen here. A project another ceremony's package claimed first (even one finalized at
   * the same moment: the claim's primary key decides) rolls everything back.
   */
  async finalize(packageId: string, freeze: Freeze): Promise<FinalizeResult> {
    try {
      return await this.db.transaction(async (tx): Promise<FinalizeResult> => {
        const [target] = await tx.select().from(ceremonyPackages).where(eq(ceremonyPackages.id, packageId));
        if (!target) throw new Error(`package ${packageId} vanished`);
        const standing = await tx
          .select({ id: ceremonyPackages.id, version: ceremonyPackages.version, status: ceremonyPackages.status })
          .from(ceremonyPackages)
          .where(and(eq(ceremonyPackages.ceremonyId, target.ceremonyId), inArray(ceremonyPackages.status, STANDING)))
          .orderBy(asc(ceremonyPackages.version))
          .for('update');
        const signed = standing.find((row) => row.status !== 'FINAL');
        if (signed) return { type: 'signed', version: signed.version, status: signed.status };

        const later = alias(ceremonyPackages, 'later');
        const [finalized] = await tx
          .update(ceremonyPackages)
          .set({
            status: 'FINAL',
            contentHash: freeze.contentHash,
            checks: freeze.checks,
            finalizedAt: sql`now()`,
            finalizedByRole: freeze.finalizedByRole,
            finalizedBySubject: freeze.finalizedBySubject,
          })
          .where(
            and(
              eq(ceremonyPackages.id, packageId),
              eq(ceremonyPackages.status, 'DRAFT'),
              sql`not exists (${tx
                .select({ one: sql`1` })
                .from(later)
                .where(and(eq(later.ceremonyId, ceremonyPackages.ceremonyId), gt(later.version, ceremonyPackages.version)))})`,
            ),
          )
          .returning();
        if (!finalized) {
          const [now] = await tx.select({ status: ceremonyPackages.status }).from(ceremonyPackages).where(eq(ceremonyPackages.id, packageId));
          if (now && now.status !== 'DRAFT') return { type: 'not-draft', status: now.status };
          const [latest] = await tx
            .select({ version: ceremonyPackages.version })
            .from(ceremonyPackages)
            .where(eq(ceremonyPackages.ceremonyId, target.ceremonyId))
            .orderBy(desc(ceremonyPackages.version))
            .limit(1);
          return { type: 'not-latest', latestVersion: latest?.version ?? target.version };
        }

        const superseded = standing.map((row) => row.id);
        if (superseded.length > 0) {
          await tx.update(ceremonyPackages).set({ status: 'SUPERSEDED' }).where(inArray(ceremonyPackages.id, superseded));
          await tx.delete(packageProjectClaims).where(inArray(packageProjectClaims.packageId, superseded));
        }
        const lines = await tx
          .select({ projectId: ceremonyPackageLines.projectId })
          .from(ceremonyPackageLines)
          .where(eq(ceremonyPackageLines.packageId, packageId));
        // In one order everywhere, so two finalizations sharing projects wait on each other
        // instead of deadlocking.
        const projectIds = [...new Set(lines.map((line) => line.projectId))].sort();
        if (projectIds.length > 0) {
          await tx
            .insert(packageProjectClaims)
            .values(projectIds.map((projectId) => ({ projectId, packageId, ceremonyId: target.ceremonyId })));
        }
        return { type: 'finalized', package: finalized, superseded };
      });
    } catch (error) {
      if (uniqueViolation(error) !== CLAIM_PRIMARY_KEY) throw error;
      // Rolled back; the claims that stood in the way are committed (the insert waited for them).
      const lines = await this.linesOfPackages([packageId]);
      const claims = await this.claimsOfProjects(lines.map((line) => line.projectId));
      return { type: 'claimed', claims: claims.filter((claim) => claim.packageId !== packageId) };
    }
  }
}
