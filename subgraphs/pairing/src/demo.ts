import { DEMO_SEED_NAME, demoPlan } from '@hub/demo';
import { seedOnce, type Db } from '@hub/db';
import {
  agreements,
  ceremonies,
  ceremonyCounties,
  ceremonyOrganizations,
  ceremonyProjects,
  projectPipelines,
  seedLog,
  stageEvents,
} from './db/schema.ts';

const SYNTHETIC = { provenanceKind: 'SYNTHETIC_DEMO', sourceId: null, sourceDetail: 'packages/demo (synthetic)' } as const;

/**
 * The pairing's part of the demo story: a fictional agreement and ceremony (so the real ones
 * stay as the record states them) and every demo project's pipeline and history.
 */
export async function seedPairingDemo(db: Db): Promise<void> {
  await seedOnce(db, seedLog, DEMO_SEED_NAME, async (tx) => {
    const plan = demoPlan();
    await tx.insert(agreements).values({
      ...plan.agreement,
      jiangsuPartyId: 'js-civil-affairs-department',
      shaanxiPartyId: 'sn-civil-affairs-department',
      termYears: 3,
      ...SYNTHETIC,
    });
    const { projectCount, totalFen, ...ceremony } = plan.ceremony;
    await tx.insert(ceremonies).values({
      ...ceremony,
      agreementId: plan.agreement.id,
      declaredProjectCount: projectCount,
      declaredTotalFen: totalFen,
      ...SYNTHETIC,
    });
    await tx.insert(ceremonyOrganizations).values(
      plan.organizations.map((organization) => ({
        ceremonyId: ceremony.id,
        organizationId: organization.id,
        province: 'JIANGSU' as const,
        role: 'SIGNATORY' as const,
      })),
    );
    const inPipeline = plan.projects.filter((project) => project.events.length > 0);
    const batch = inPipeline.filter((project) => project.events.some((event) => event.to === 'SCHEDULED'));
    await tx
      .insert(ceremonyCounties)
      .values([...new Set(batch.map((project) => project.countyCode))].map((countyCode) => ({ ceremonyId: ceremony.id, countyCode })));
    await tx.insert(ceremonyProjects).values(batch.map((project) => ({ projectId: project.id, ceremonyId: ceremony.id })));
    await tx.insert(projectPipelines).values(
      inPipeline.map((project) => ({
        projectId: project.id,
        stage: project.stage,
        version: project.events.length,
        countyCode: project.countyCode,
        prefectureCode: project.prefectureCode,
        field: project.field,
        raisedByOrganizationId: null,
        matchedOrganizationId: project.events.some((event) => event.to === 'MATCHED') ? project.organizationId : null,
        enteredAt: project.events[0]!.at,
        updatedAt: project.events.at(-1)!.at,
        ...SYNTHETIC,
      })),
    );
    await tx.insert(stageEvents).values(
      inPipeline.flatMap((project) =>
        project.events.map((event) => ({
          projectId: project.id,
          sequence: event.sequence,
          fromStage: event.from,
          toStage: event.to,
          actorRole: event.actorRole,
          actorSubject: 'demo',
          note: '演示数据（虚构）',
          organizationId: event.organizationId,
          ceremonyId: event.ceremonyId,
          occurredAt: event.at,
          ...SYNTHETIC,
        })),
      ),
    );
  });
}
