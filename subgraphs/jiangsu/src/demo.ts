import { DEMO_SEED_NAME, demoPlan } from '@hub/demo';
import { seedOnce, type Db } from '@hub/db';
import {
  fundingAccounts,
  fundingEntries,
  fundingProjectTotals,
  givingProfiles,
  givingProfileVersions,
  organizations,
  seedLog,
  type FundingKind,
} from './db/schema.ts';

const SYNTHETIC = { provenanceKind: 'SYNTHETIC_DEMO', sourceId: null, sourceDetail: 'packages/demo (synthetic)' } as const;

/**
 * Jiangsu's part of the demo story: fictional foundations, their giving profiles, and their
 * pledges, commitments and disbursements.
 */
export async function seedJiangsuDemo(db: Db, scale = 1): Promise<void> {
  await seedOnce(db, seedLog, DEMO_SEED_NAME, async (tx) => {
    const plan = demoPlan(scale);
    await tx.insert(organizations).values(
      plan.organizations.map(({ pairedPrefectureCode: _, ...organization }) => ({
        ...organization,
        kind: 'FOUNDATION' as const,
        description: '演示机构（虚构），用于体验系统。A fictional foundation for the demo.',
        ...SYNTHETIC,
      })),
    );
    // Each profile at version 1, kept as its first version too, as a member setting it would leave it.
    await tx.insert(givingProfiles).values(plan.givingProfiles.map((profile) => ({ ...profile, version: 1, ...SYNTHETIC })));
    await tx.insert(givingProfileVersions).values(
      plan.givingProfiles.map((profile) => ({ ...profile, version: 1, setByRole: 'FOUNDATION_MEMBER', setBySubject: 'demo', ...SYNTHETIC })),
    );
    const funded = plan.projects.filter((project) => project.pledgedFen > 0n || project.committedFen > 0n);
    await tx.insert(fundingAccounts).values(
      funded.map((project) => ({
        projectId: project.id,
        organizationId: project.organizationId,
        pledgedFen: project.pledgedFen,
        committedFen: project.committedFen,
        disbursedFen: project.disbursedFen,
      })),
    );
    // One organization funds each demo project, so its account is the project's total.
    await tx.insert(fundingProjectTotals).values(
      funded.map((project) => ({
        projectId: project.id,
        pledgedFen: project.pledgedFen,
        committedFen: project.committedFen,
        disbursedFen: project.disbursedFen,
      })),
    );
    const at = (project: (typeof funded)[number], stage: string) =>
      project.events.find((event) => event.to === stage)?.at ?? project.createdAt;
    await tx.insert(fundingEntries).values(
      funded.flatMap((project) =>
        (
          [
            ['PLEDGE', project.pledgedFen, at(project, 'MATCHED')],
            ['COMMITMENT', project.committedFen, at(project, 'SIGNED')],
            ['DISBURSEMENT', project.disbursedFen, at(project, 'IMPLEMENTING')],
          ] as [FundingKind, bigint, Date][]
        )
          .filter(([, amount]) => amount > 0n)
          .map(([kind, amountFen, recordedAt]) => ({
            projectId: project.id,
            organizationId: project.organizationId,
            kind,
            amountFen,
            idempotencyKey: `demo-${kind.toLowerCase()}-${project.id}`,
            requestFingerprint: 'demo',
            recordedByRole: kind === 'PLEDGE' ? 'FOUNDATION_MEMBER' : 'JIANGSU_OFFICE',
            recordedBySubject: 'demo',
            recordedAt,
            ...SYNTHETIC,
          })),
      ),
    );
  });
}
