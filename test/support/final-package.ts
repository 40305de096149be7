import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@hub/db';

export interface FixtureLine {
  projectId: string;
  countyCode: string;
  shaanxiSignatoryId: string;
  jiangsuOrganizationId: string;
  amountFen: number;
}

/**
 * A FINAL package written straight into the pairing's tables: the package, its lines and its
 * claims, as finalizing leaves them. For a package the graph refuses to finalize (a line the
 * checks would stop), so that a later step's own guard can be tested. Its projects should be
 * ones really moved to SCHEDULED through the graph.
 */
export async function insertFinalPackage(db: Db, ceremonyId: string, lines: readonly FixtureLine[]): Promise<{ id: string; version: number }> {
  const total = lines.reduce((sum, line) => sum + line.amountFen, 0);
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ id: string; version: number }>(
      tx,
      sql`insert into pairing.ceremony_package (ceremony_id, version, status, stated_total_fen, checks, content_hash, created_by_role, finalized_at, finalized_by_role, provenance_kind)
          select ${ceremonyId}, coalesce(max(version), 0) + 1, 'FINAL', ${total}, '[]'::jsonb, 'fixture', 'SHAANXI_OFFICE', now(), 'SHAANXI_OFFICE', 'ENTERED'
          from pairing.ceremony_package where ceremony_id = ${ceremonyId}
          returning id, version`,
    );
    for (const [index, line] of lines.entries()) {
      await tx.execute(
        sql`insert into pairing.ceremony_package_line (package_id, position, project_id, county_code, shaanxi_signatory_id, jiangsu_organization_id, amount_fen)
            values (${row!.id}, ${index + 1}, ${line.projectId}, ${line.countyCode}, ${line.shaanxiSignatoryId}, ${line.jiangsuOrganizationId}, ${line.amountFen})`,
      );
      await tx.execute(
        sql`insert into pairing.package_project_claim (project_id, package_id, ceremony_id) values (${line.projectId}, ${row!.id}, ${ceremonyId})`,
      );
    }
    return row!;
  });
}

/** A Jiangsu organization written straight into its table, flagged as synthetic demo data. */
export async function insertDemoJiangsuOrganization(db: Db, id: string, nameZh: string, cityCode: string): Promise<void> {
  await db.execute(
    sql`insert into jiangsu.organization (id, name_zh, kind, city_code, provenance_kind, source_detail)
        values (${id}, ${nameZh}, 'FOUNDATION', ${cityCode}, 'SYNTHETIC_DEMO', 'test fixture')`,
  );
}
