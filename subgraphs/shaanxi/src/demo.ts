import { sql } from 'drizzle-orm';
import { DEMO_SEED_NAME, demoPlan, type DemoProject } from '@hub/demo';
import { seedOnce, type Db } from '@hub/db';
import { fundsEntries, organizations, projectAccounts, projectNeeds, seedLog } from './db/schema.ts';

const SYNTHETIC = { provenanceKind: 'SYNTHETIC_DEMO', sourceId: null, sourceDetail: 'packages/demo (synthetic)' } as const;

/** When the demo story published a need: its move to PUBLISHED, if it made one. */
function publishedAt(project: DemoProject): Date | null {
  return project.events.find((event) => event.to === 'PUBLISHED')?.at ?? null;
}

/** Shaanxi's part of the demo story: the needs, and what they received and spent. Once per database. */
export async function seedShaanxiDemo(db: Db, scale = 1): Promise<void> {
  await publishDemoNeeds(db);
  await seedOnce(db, seedLog, DEMO_SEED_NAME, async (tx) => {
    const { projects, shaanxiOrganizations } = demoPlan(scale);
    await tx.insert(organizations).values(
      shaanxiOrganizations.map((organization) => ({
        ...organization,
        kind: 'SOCIAL_SERVICE_INSTITUTION' as const,
        description: '演示机构（虚构），用于体验系统。A fictional organization for the demo.',
        ...SYNTHETIC,
      })),
    );
    await tx.insert(projectNeeds).values(
      projects.map((project) => ({
        id: project.id,
        countyCode: project.countyCode,
        titleZh: project.titleZh,
        field: project.field,
        amountSoughtFen: project.amountSoughtFen,
        raisedByOrganizationId: project.raisedByOrganizationId,
        description: '演示数据（虚构），用于体验项目流程与资金台账。Synthetic demo data.',
        createdAt: project.createdAt,
        updatedAt: project.createdAt,
        publishedAt: publishedAt(project),
        ...SYNTHETIC,
      })),
    );
    const funded = projects.filter((project) => project.receivedFen > 0n);
    if (funded.length === 0) return;
    await tx.insert(projectAccounts).values(
      funded.map((project) => ({ projectId: project.id, receivedFen: project.receivedFen, spentFen: project.spentFen })),
    );
    await tx.insert(fundsEntries).values(
      funded.flatMap((project) => {
        const at = project.events.find((event) => event.to === 'IMPLEMENTING')?.at ?? project.createdAt;
        const entry = (kind: 'RECEIPT' | 'EXPENDITURE', amountFen: bigint) => ({
          projectId: project.id,
          kind,
          amountFen,
          fromOrganizationId: kind === 'RECEIPT' ? project.organizationId : null,
          purpose: kind === 'EXPENDITURE' ? '演示：物资与服务采购' : null,
          idempotencyKey: `demo-${kind.toLowerCase()}-${project.id}`,
          requestFingerprint: 'demo',
          recordedByRole: 'SHAANXI_OFFICE',
          recordedBySubject: 'demo',
          recordedAt: at,
          ...SYNTHETIC,
        });
        return project.spentFen > 0n
          ? [entry('RECEIPT', project.receivedFen), entry('EXPENDITURE', project.spentFen)]
          : [entry('RECEIPT', project.receivedFen)];
      }),
    );
  });
}

/**
 * A data folder whose demo needs were loaded before needs had a publication date: mark those
 * the story published, once, so the demo pipeline stays visible to the public.
 */
async function publishDemoNeeds(db: Db): Promise<void> {
  await seedOnce(db, seedLog, 'synthetic-demo-publication-v1', async (tx) => {
    // Such folders were all made at scale 1, before scales existed.
    const published = demoPlan().projects.flatMap((project) => {
      const at = publishedAt(project);
      return at ? [sql`(${project.id}::uuid, ${at.toISOString()}::timestamptz)`] : [];
    });
    if (published.length === 0) return;
    await tx.execute(sql`
      update ${projectNeeds} set published_at = story.at
      from (values ${sql.join(published, sql`, `)}) as story(id, at)
      where ${projectNeeds.id} = story.id and ${projectNeeds.publishedAt} is null
        and ${projectNeeds.provenanceKind} = 'SYNTHETIC_DEMO'`);
  });
}
