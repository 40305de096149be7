import { randomUUID } from 'node:crypto';
import { DEMO_SEED_NAME, demoPlan, type DemoPlan, type DemoProject } from '@hub/demo';
import { seedOnce, type Db } from '@hub/db';
import {
  agreementFocuses,
  agreementTargetRevisions,
  agreementTargets,
  agreements,
  ceremonyPackageLines,
  ceremonyPackages,
  packageProjectClaims,
  packageSignings,
  pairingExceptions,
  ceremonies,
  ceremonyCounties,
  ceremonyOrganizations,
  ceremonyProjects,
  projectPipelines,
  seedLog,
  stageEvents,
} from './db/schema.ts';
import { plannedPackageRows } from './synthetic-package.ts';

const SYNTHETIC = { provenanceKind: 'SYNTHETIC_DEMO', sourceId: null, sourceDetail: 'packages/demo (synthetic)' } as const;

/**
 * The pairing's part of the demo story: a fictional agreement and ceremony (so the real ones
 * stay as the record states them) and every demo project's pipeline and history.
 */
export async function seedPairingDemo(db: Db, scale = 1): Promise<void> {
  await seedOnce(db, seedLog, DEMO_SEED_NAME, async (tx) => {
    const plan = demoPlan(scale);
    const { focuses, ...agreement } = plan.agreement;
    await tx.insert(agreements).values({
      ...agreement,
      jiangsuPartyId: 'js-civil-affairs-department',
      shaanxiPartyId: 'sn-civil-affairs-department',
      termYears: 3,
      ...SYNTHETIC,
    });
    await tx
      .insert(agreementFocuses)
      .values(focuses.map((focus, index) => ({ agreementId: agreement.id, position: index + 1, ...focus })));
    for (const { projectCount, totalFen, ...ceremony } of [plan.ceremony, plan.nextCeremony]) {
      await tx.insert(ceremonies).values({
        ...ceremony,
        agreementId: plan.agreement.id,
        declaredProjectCount: projectCount,
        declaredTotalFen: totalFen,
        ...SYNTHETIC,
      });
    }
    // Who signed at the first ceremony: the two sides of its signed package's lines.
    const signed = plan.packages.find((demoPackage) => demoPackage.status === 'SIGNED')!;
    const signatories = (province: 'JIANGSU' | 'SHAANXI', ids: string[]) =>
      [...new Set(ids)].sort().map((organizationId) => ({
        ceremonyId: plan.ceremony.id,
        organizationId,
        province,
        role: 'SIGNATORY' as const,
      }));
    await tx.insert(ceremonyOrganizations).values([
      ...signatories('JIANGSU', signed.lines.map((line) => line.jiangsuOrganizationId)),
      ...signatories('SHAANXI', signed.lines.map((line) => line.shaanxiSignatoryId)),
    ]);
    const inPipeline = plan.projects.filter((project) => project.events.length > 0);
    const batchOf = (project: DemoProject) => project.events.find((event) => event.to === 'SCHEDULED')?.ceremonyId ?? null;
    const signedCounties = [...new Set(signed.lines.map((line) => line.countyCode))];
    await tx.insert(ceremonyCounties).values(signedCounties.map((countyCode) => ({ ceremonyId: plan.ceremony.id, countyCode })));
    await tx.insert(ceremonyProjects).values(
      inPipeline.flatMap((project) => {
        const ceremonyId = batchOf(project);
        return ceremonyId ? [{ projectId: project.id, ceremonyId }] : [];
      }),
    );
    await tx.insert(projectPipelines).values(
      inPipeline.map((project) => ({
        projectId: project.id,
        stage: project.stage,
        version: project.events.length,
        countyCode: project.countyCode,
        prefectureCode: project.prefectureCode,
        field: project.field,
        raisedByOrganizationId: project.raisedByOrganizationId,
        matchedOrganizationId: project.events.some((event) => event.to === 'MATCHED') ? project.organizationId : null,
        focusPosition: project.focusPosition,
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
    await seedDemoTargets(tx, plan);
    await seedDemoPackages(tx, plan);
  });
}

/** The demo offices' targets for the demo agreement, each at version 1 with its revision. */
async function seedDemoTargets(tx: Db, plan: DemoPlan): Promise<void> {
  for (const target of plan.targets) {
    const values = { ...target, note: '演示目标（虚构）', setByRole: 'SHAANXI_OFFICE', setBySubject: 'demo', setAt: DEMO_TARGETS_SET_AT };
    const [row] = await tx
      .insert(agreementTargets)
      .values({ agreementId: plan.agreement.id, version: 1, ...values, ...SYNTHETIC })
      .returning({ id: agreementTargets.id });
    const { year: _, ...revision } = values;
    await tx.insert(agreementTargetRevisions).values({ targetId: row!.id, version: 1, ...revision });
  }
}

const DEMO_TARGETS_SET_AT = new Date('2019-01-15T02:00:00Z');

/**
 * The demo's two ceremony packages, as the offices would have made them: the first ceremony's,
 * signed, and the next one's, final and ready to sign. Each carries the checks it passed and its
 * content hash, worked out the way finalization does; the exceptions that let the fictional
 * foundations sign outside their cities' pairings are recorded first.
 */
async function seedDemoPackages(tx: Db, plan: DemoPlan): Promise<void> {
  await tx.insert(pairingExceptions).values(
    plan.pairingExceptions.map(([organizationId, prefectureCode]) => ({
      agreementId: plan.agreement.id,
      organizationId,
      prefectureCode,
      reason: '演示：虚构的基金会在全省开展帮扶（虚构例外）',
      recordedAt: DEMO_TARGETS_SET_AT,
      recordedByRole: 'JIANGSU_OFFICE',
      recordedBySubject: 'demo',
      ...SYNTHETIC,
    })),
  );
  const projects = new Map(plan.projects.map((project) => [project.id, project]));
  const facts = {
    matchedOrganizationOf: (projectId: string) => projects.get(projectId)!.organizationId,
    amountSoughtOf: (projectId: string) => projects.get(projectId)!.amountSoughtFen,
    organizationCities: new Map(plan.organizations.map((organization) => [organization.id, organization.cityCode])),
    pairings: new Map(plan.organizations.map((organization) => [organization.cityCode, new Set([organization.pairedPrefectureCode])])),
    exceptions: plan.pairingExceptions.map(([organizationId, prefectureCode]) => ({ organizationId, countyCode: null, prefectureCode })),
  };
  for (const demoPackage of plan.packages) {
    const ceremony = demoPackage.ceremonyId === plan.ceremony.id ? plan.ceremony : plan.nextCeremony;
    const rows = plannedPackageRows(demoPackage, ceremony, facts, { packageId: randomUUID(), by: 'demo', provenance: SYNTHETIC });
    await tx.insert(ceremonyPackages).values(rows.packageRow);
    await tx.insert(ceremonyPackageLines).values(rows.lineRows);
    await tx.insert(packageProjectClaims).values(rows.claimRows);
    if (rows.signingRow) await tx.insert(packageSignings).values(rows.signingRow);
  }
}
