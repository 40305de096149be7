import { seedOnce, type Db } from '@hub/db';
import type { PgTable } from 'drizzle-orm/pg-core';
import * as jiangsu from '../../../subgraphs/jiangsu/src/db/schema.ts';
import * as pairing from '../../../subgraphs/pairing/src/db/schema.ts';
import * as shaanxi from '../../../subgraphs/shaanxi/src/db/schema.ts';
import { plannedPackageRows } from '../../../subgraphs/pairing/src/synthetic-package.ts';
import { pushTo, type BenchPlan, type BenchProject } from './plan.ts';
import { benchUuid } from './random.ts';

/**
 * Loads a bench plan into the three subgraph schemas, each in one transaction under the plan's
 * own seed-log name, so a plan loads once per database. Rows go in as multi-row INSERTs of at
 * most a thousand rows (and well under Postgres's 65,535 parameters a statement): PGlite is one
 * connection, and one statement of 100,000 rows would hold it, and the memory, far longer.
 */

const MAX_ROWS_A_STATEMENT = 1_000;
const MAX_PARAMETERS_A_STATEMENT = 30_000;

async function insertChunked<TTable extends PgTable>(tx: Db, table: TTable, rows: TTable['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object).length;
  const size = Math.max(1, Math.min(MAX_ROWS_A_STATEMENT, Math.floor(MAX_PARAMETERS_A_STATEMENT / columns)));
  for (let start = 0; start < rows.length; start += size) {
    await tx.insert(table).values(rows.slice(start, start + size));
  }
}

export interface SubgraphDbs {
  shaanxi: Db;
  jiangsu: Db;
  pairing: Db;
}

/** Loads every subgraph's part; returns, per subgraph, whether it ran (false: already loaded). */
export async function loadBenchPlan(dbs: SubgraphDbs, plan: BenchPlan): Promise<Record<keyof SubgraphDbs, boolean>> {
  return {
    shaanxi: await loadShaanxiBench(dbs.shaanxi, plan),
    jiangsu: await loadJiangsuBench(dbs.jiangsu, plan),
    pairing: await loadPairingBench(dbs.pairing, plan),
  };
}

/** Shaanxi's part: its organizations, the needs (drafts and published), what they received and spent. */
function loadShaanxiBench(db: Db, plan: BenchPlan): Promise<boolean> {
  const { provenance } = plan;
  return seedOnce(db, shaanxi.seedLog, plan.name, async (tx) => {
    await insertChunked(
      tx,
      shaanxi.organizations,
      plan.shaanxiOrganizations.map((organization) => ({
        ...organization,
        description: '基准数据（合成）。Synthetic bench data.',
        updatedAt: organization.createdAt,
        ...provenance,
      })),
    );
    await insertChunked(
      tx,
      shaanxi.projectNeeds,
      plan.projects.map((project) => ({
        id: project.id,
        countyCode: project.countyCode,
        titleZh: project.titleZh,
        field: project.field,
        amountSoughtFen: project.amountSoughtFen,
        raisedByOrganizationId: project.raisedByOrganizationId,
        description: '基准数据（合成），用于测量系统性能。Synthetic bench data.',
        createdAt: project.createdAt,
        updatedAt: project.publishedAt ?? project.createdAt,
        publishedAt: project.publishedAt,
        ...provenance,
      })),
    );
    await insertChunked(tx, shaanxi.projectAccounts, plan.projectAccounts);
    await insertChunked(
      tx,
      shaanxi.fundsEntries,
      plan.fundsEntries.map((entry) => ({
        ...entry,
        requestFingerprint: 'bench',
        recordedByRole: 'SHAANXI_OFFICE',
        recordedBySubject: 'bench',
        ...provenance,
      })),
    );
  });
}

/** Jiangsu's part: its organizations, some giving profiles, and the pledges, commitments and disbursements. */
function loadJiangsuBench(db: Db, plan: BenchPlan): Promise<boolean> {
  const { provenance } = plan;
  return seedOnce(db, jiangsu.seedLog, plan.name, async (tx) => {
    await insertChunked(
      tx,
      jiangsu.organizations,
      plan.jiangsuOrganizations.map(({ pairedPrefectureCode: _, ...organization }) => ({
        ...organization,
        description: '基准数据（合成）。Synthetic bench data.',
        updatedAt: organization.createdAt,
        ...provenance,
      })),
    );
    const setAt = new Date('2018-01-01T02:00:00Z');
    await insertChunked(
      tx,
      jiangsu.givingProfiles,
      plan.givingProfiles.map((profile) => ({ ...profile, version: 1, updatedAt: setAt, ...provenance })),
    );
    await insertChunked(
      tx,
      jiangsu.givingProfileVersions,
      plan.givingProfiles.map((profile) => ({ ...profile, version: 1, setAt, setByRole: 'FOUNDATION_MEMBER', setBySubject: 'bench', ...provenance })),
    );
    await insertChunked(tx, jiangsu.fundingAccounts, plan.fundingAccounts);
    await insertChunked(tx, jiangsu.fundingProjectTotals, plan.fundingProjectTotals);
    await insertChunked(
      tx,
      jiangsu.fundingEntries,
      plan.fundingEntries.map((entry) => ({
        ...entry,
        requestFingerprint: 'bench',
        recordedByRole: entry.kind === 'PLEDGE' ? 'FOUNDATION_MEMBER' : 'JIANGSU_OFFICE',
        recordedBySubject: 'bench',
        ...provenance,
      })),
    );
  });
}

/**
 * The pairing's part: an agreement of its own, the ceremonies with their batches, signatories
 * and packages, and every project's pipeline row and stage history.
 */
function loadPairingBench(db: Db, plan: BenchPlan): Promise<boolean> {
  const { provenance } = plan;
  return seedOnce(db, pairing.seedLog, plan.name, async (tx) => {
    const { focuses, ...agreement } = plan.agreement;
    await tx.insert(pairing.agreements).values({
      ...agreement,
      jiangsuPartyId: 'js-civil-affairs-department',
      shaanxiPartyId: 'sn-civil-affairs-department',
      termYears: 5,
      ...provenance,
    });
    await tx.insert(pairing.agreementFocuses).values(focuses.map((focus, index) => ({ agreementId: agreement.id, position: index + 1, ...focus })));
    await insertChunked(
      tx,
      pairing.ceremonies,
      plan.ceremonies.map(({ projectCount, totalFen, signed: _, ...ceremony }) => ({
        ...ceremony,
        agreementId: agreement.id,
        declaredProjectCount: projectCount,
        declaredTotalFen: totalFen,
        scheduledByRole: 'SHAANXI_OFFICE',
        scheduledBySubject: 'bench',
        ...provenance,
      })),
    );
    const inPipeline = plan.projects.filter((project) => project.events.length > 0);
    const batches = new Map<string, BenchProject[]>();
    for (const project of inPipeline) {
      if (project.ceremonyId) pushTo(batches, project.ceremonyId, project);
    }
    // Who signed at each past ceremony, and for which counties: the two sides of its batch.
    const signatories = plan.ceremonies
      .filter((ceremony) => ceremony.signed)
      .flatMap((ceremony) => {
        const batch = batches.get(ceremony.id) ?? [];
        const of = (province: 'JIANGSU' | 'SHAANXI', ids: string[]) =>
          [...new Set(ids)].sort().map((organizationId) => ({ ceremonyId: ceremony.id, organizationId, province, role: 'SIGNATORY' as const }));
        return [
          ...of('JIANGSU', batch.map((project) => project.matchedOrganizationId as string)),
          ...of('SHAANXI', batch.map((project) => project.raisedByOrganizationId)),
        ];
      });
    await insertChunked(tx, pairing.ceremonyOrganizations, signatories);
    await insertChunked(
      tx,
      pairing.ceremonyCounties,
      plan.ceremonies
        .filter((ceremony) => ceremony.signed)
        .flatMap((ceremony) =>
          [...new Set((batches.get(ceremony.id) ?? []).map((project) => project.countyCode))].sort().map((countyCode) => ({ ceremonyId: ceremony.id, countyCode })),
        ),
    );
    await insertChunked(
      tx,
      pairing.projectPipelines,
      inPipeline.map((project) => ({
        projectId: project.id,
        stage: project.stage,
        version: project.events.length,
        countyCode: project.countyCode,
        prefectureCode: project.prefectureCode,
        field: project.field,
        raisedByOrganizationId: project.raisedByOrganizationId,
        matchedOrganizationId: project.matchedOrganizationId,
        focusPosition: project.focusPosition,
        enteredAt: project.events[0]!.at,
        updatedAt: project.events.at(-1)!.at,
        ...provenance,
      })),
    );
    await insertChunked(
      tx,
      pairing.ceremonyProjects,
      inPipeline.flatMap((project) =>
        project.ceremonyId
          ? [{ projectId: project.id, ceremonyId: project.ceremonyId, addedAt: project.events.find((event) => event.to === 'SCHEDULED')!.at }]
          : [],
      ),
    );
    await insertChunked(
      tx,
      pairing.stageEvents,
      inPipeline.flatMap((project) =>
        project.events.map((event) => ({
          id: benchUuid(`${plan.name}:event-${project.id}-${event.sequence}`),
          projectId: project.id,
          sequence: event.sequence,
          fromStage: event.from,
          toStage: event.to,
          actorRole: event.actorRole,
          actorSubject: 'bench',
          note: '基准数据（合成）',
          organizationId: event.organizationId,
          ceremonyId: event.ceremonyId,
          occurredAt: event.at,
          ...provenance,
        })),
      ),
    );
    await loadPackages(tx, plan);
  });
}

/**
 * The packages, as the offices would have made them: the exceptions that let foundations sign
 * outside their cities' pairings first, then each package with the checks it passed and its
 * content hash, worked out the way finalization does.
 */
async function loadPackages(tx: Db, plan: BenchPlan): Promise<void> {
  const { provenance } = plan;
  const recordedAt = new Date('2018-01-01T02:00:00Z');
  await insertChunked(
    tx,
    pairing.pairingExceptions,
    plan.pairingExceptions.map(([organizationId, prefectureCode]) => ({
      agreementId: plan.agreement.id,
      organizationId,
      prefectureCode,
      reason: '基准：合成的基金会在全省开展帮扶（合成例外）',
      recordedAt,
      recordedByRole: 'JIANGSU_OFFICE',
      recordedBySubject: 'bench',
      ...provenance,
    })),
  );
  const projects = new Map(plan.projects.map((project) => [project.id, project]));
  const ceremonies = new Map(plan.ceremonies.map((ceremony) => [ceremony.id, ceremony]));
  const organizationCities = new Map(plan.jiangsuOrganizations.map((organization) => [organization.id, organization.cityCode]));
  const pairings = new Map(
    plan.jiangsuOrganizations.flatMap((organization) =>
      organization.pairedPrefectureCode ? [[organization.cityCode, new Set([organization.pairedPrefectureCode])] as const] : [],
    ),
  );
  const exceptions = plan.pairingExceptions.map(([organizationId, prefectureCode]) => ({ organizationId, countyCode: null, prefectureCode }));
  const facts = {
    matchedOrganizationOf: (projectId: string) => projects.get(projectId)!.matchedOrganizationId,
    amountSoughtOf: (projectId: string) => projects.get(projectId)!.amountSoughtFen,
    organizationCities,
    pairings,
    exceptions,
  };
  const built = plan.packages.map((benchPackage) =>
    plannedPackageRows(benchPackage, ceremonies.get(benchPackage.ceremonyId)!, facts, {
      packageId: benchUuid(`${plan.name}:package-${benchPackage.ceremonyId}-1`),
      by: 'bench',
      provenance,
    }),
  );
  const packageRows = built.map((rows) => rows.packageRow);
  const lineRows = built.flatMap((rows) => rows.lineRows);
  const claimRows = built.flatMap((rows) => rows.claimRows);
  const signingRows = built.flatMap((rows) => (rows.signingRow ? [rows.signingRow] : []));
  // A package's checks hold one result per check and line: a few packages a statement.
  for (let start = 0; start < packageRows.length; start += 5) await tx.insert(pairing.ceremonyPackages).values(packageRows.slice(start, start + 5));
  await insertChunked(tx, pairing.ceremonyPackageLines, lineRows);
  await insertChunked(tx, pairing.packageProjectClaims, claimRows);
  await insertChunked(tx, pairing.packageSignings, signingRows);
}
