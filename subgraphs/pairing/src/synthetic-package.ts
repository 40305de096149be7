import type { ProvenanceKind } from '@hub/common';
import type { ceremonyPackageLines, ceremonyPackages, packageProjectClaims, packageSignings } from './db/schema.ts';
import { runPackageChecks, type PackageFacts } from './package-checks.ts';
import { packageContentHash } from './package-hash.ts';

/** A package a synthetic story (the demo, the bench data) holds, before it has rows. */
export interface PlannedPackage {
  ceremonyId: string;
  status: 'FINAL' | 'SIGNED';
  lines: { projectId: string; countyCode: string; shaanxiSignatoryId: string; jiangsuOrganizationId: string; amountFen: bigint }[];
  totalFen: bigint;
}

/** What the checks of a planned package are judged on, besides its lines. */
export interface PlannedPackageFacts {
  matchedOrganizationOf(projectId: string): string | null;
  amountSoughtOf(projectId: string): bigint | null;
  organizationCities: PackageFacts['organizationCities'];
  pairings: PackageFacts['pairings'];
  exceptions: PackageFacts['exceptions'];
}

/**
 * The rows of a package a synthetic story holds, as the offices would have made them: judged as
 * its projects stood when it was finalized (every one SCHEDULED for its ceremony), a week before
 * the ceremony, hashed as finalization hashes it, and signed on the ceremony's day when the story
 * says it was. A package failing its own checks is a fault of the story, not data.
 */
export function plannedPackageRows(
  planned: PlannedPackage,
  ceremony: { id: string; heldOn: string },
  facts: PlannedPackageFacts,
  made: { packageId: string; by: string; provenance: { provenanceKind: ProvenanceKind; sourceId: string | null; sourceDetail: string | null } },
) {
  const lines = planned.lines.map((line, index) => ({ position: index + 1, ...line }));
  const content = { ceremonyId: ceremony.id, version: 1, lines, statedTotalFen: planned.totalFen };
  const checks = runPackageChecks({
    ...content,
    projects: new Map(
      lines.map((line) => [
        line.projectId,
        {
          stage: 'SCHEDULED' as const,
          ceremonyId: ceremony.id,
          matchedOrganizationId: facts.matchedOrganizationOf(line.projectId),
          amountSoughtFen: facts.amountSoughtOf(line.projectId),
        },
      ]),
    ),
    claims: new Map(),
    organizationCities: facts.organizationCities,
    pairings: facts.pairings,
    exceptions: facts.exceptions,
  });
  const failed = checks.filter((check) => !check.passed);
  if (failed.length > 0) throw new Error(`the planned package of ${ceremony.id} fails its checks: ${JSON.stringify(failed.slice(0, 3))}`);
  const heldAt = new Date(`${ceremony.heldOn}T02:00:00Z`);
  const finalizedAt = new Date(heldAt.getTime() - 7 * 24 * 60 * 60 * 1000);
  const signed = planned.status === 'SIGNED';
  const { packageId, by, provenance } = made;
  const packageRow: typeof ceremonyPackages.$inferInsert = {
    id: packageId,
    ceremonyId: ceremony.id,
    version: 1,
    status: planned.status,
    statedTotalFen: planned.totalFen,
    checks,
    contentHash: packageContentHash(content),
    createdAt: finalizedAt,
    createdByRole: 'SHAANXI_OFFICE',
    createdBySubject: by,
    finalizedAt,
    finalizedByRole: 'JIANGSU_OFFICE',
    finalizedBySubject: by,
    signedAt: signed ? heldAt : null,
    ...provenance,
  };
  const lineRows: (typeof ceremonyPackageLines.$inferInsert)[] = lines.map((line) => ({ packageId, ...line }));
  const claimRows: (typeof packageProjectClaims.$inferInsert)[] = lines.map((line) => ({ projectId: line.projectId, packageId, ceremonyId: ceremony.id }));
  const signingRow: typeof packageSignings.$inferInsert | null = signed
    ? { packageId, startedAt: heldAt, startedByRole: 'JIANGSU_OFFICE', startedBySubject: by, commitmentsRecordedAt: heldAt, completedAt: heldAt, attempts: 1 }
    : null;
  return { packageRow, lineRows, claimRows, signingRow };
}
