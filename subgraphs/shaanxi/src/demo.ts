import { demoPlan } from '@hub/demo';
import type { Db } from '@hub/db';
import { fundsEntries, projectAccounts, projectNeeds, seedLog } from './db/schema.ts';

const SYNTHETIC = { provenanceKind: 'SYNTHETIC_DEMO', sourceId: null, sourceDetail: 'packages/demo (synthetic)' } as const;

/** Shaanxi's part of the demo story: the needs, and what they received and spent. Once per database. */
export async function seedShaanxiDemo(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(seedLog).values({ name: 'synthetic-demo-v1' }).onConflictDoNothing().returning();
    if (inserted.length === 0) return;
    const { projects } = demoPlan();
    await tx.insert(projectNeeds).values(
      projects.map((project) => ({
        id: project.id,
        countyCode: project.countyCode,
        titleZh: project.titleZh,
        field: project.field,
        amountSoughtFen: project.amountSoughtFen,
        description: '演示数据（虚构），用于体验项目流程与资金台账。Synthetic demo data.',
        createdAt: project.createdAt,
        updatedAt: project.createdAt,
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
