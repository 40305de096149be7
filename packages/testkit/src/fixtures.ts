import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '@hub/db';
import type { TestHub } from './hub.ts';

/** Who a project is matched with and which ceremony batch it is scheduled into, unless a test says otherwise. */
export const DEFAULT_MATCH = 'js-ruihua-charity-foundation';
export const DEFAULT_CEREMONY = '2017-12-28-xian';

export interface MoveOptions {
  /** The foundation a MATCHED move names. */
  organizationId?: string;
  /** The ceremony a SCHEDULED move names. */
  ceremonyId?: string;
}

/**
 * Moves a project through `stages` in order, one `moveProject` each, from the version it is at
 * now (0 for a need not yet in the pipeline), with `token` (the Shaanxi office may make every
 * move). Throws on the first move that is refused; returns the last pipeline version.
 */
export async function moveThrough(
  hub: TestHub,
  projectId: string,
  stages: readonly string[],
  token: string,
  options: MoveOptions = {},
): Promise<number> {
  const now = await hub.query<{ project: { pipelineVersion: number | null } | null }>(
    `query ($id: ID!) { project(id: $id) { pipelineVersion } }`,
    { id: projectId },
    { token },
  );
  if (!now.data?.project) throw new Error(`project ${projectId} cannot be read: ${JSON.stringify(now.errors)}`);
  let version = now.data.project.pipelineVersion ?? 0;
  for (const to of stages) {
    const extra =
      to === 'MATCHED'
        ? { organizationId: options.organizationId ?? DEFAULT_MATCH }
        : to === 'SCHEDULED'
          ? { ceremonyId: options.ceremonyId ?? DEFAULT_CEREMONY }
          : {};
    const moved = await hub.query<{ moveProject: { stage: string; pipelineVersion: number } | null }>(
      `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage pipelineVersion } }`,
      { input: { projectId, to, expectedVersion: version, ...extra } },
      { token },
    );
    if (moved.errors || moved.data?.moveProject?.stage !== to) {
      throw new Error(`moving project ${projectId} to ${to} from version ${version} was refused: ${JSON.stringify(moved.errors)}`);
    }
    version = moved.data.moveProject.pipelineVersion;
  }
  return version;
}

/**
 * Row count and checksum of each table (`schema.table`), as `rows:md5`, so that "nothing was
 * written" is one comparison. Rows are ordered by their text, so the checksum does not depend
 * on the order the database returns them in.
 */
export async function tableChecksums(db: Db, tables: readonly string[]): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of tables) {
    const [schema, name, ...rest] = table.split('.');
    if (!schema || !name || rest.length > 0) throw new Error(`name the table as schema.table, not ${JSON.stringify(table)}`);
    const [row] = await queryRows<{ rows: number; checksum: string }>(
      db,
      sql`select count(*)::int as rows, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as checksum
          from ${sql.identifier(schema)}.${sql.identifier(name)} t`,
    );
    result[table] = `${row!.rows}:${row!.checksum}`;
  }
  return result;
}

/** Every base table of these schemas, as `schema.table`, for `tableChecksums`. */
export async function tablesOf(db: Db, schemas: readonly string[]): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select table_schema || '.' || table_name as name from information_schema.tables
        where table_schema in ${schemas} and table_type = 'BASE TABLE' order by 1`,
  );
  return rows.map((row) => row.name);
}

/** Both provinces' books: the ledger entries and the accounts, project totals and year sums kept in step with them. */
export const LEDGER_TABLES = [
  'jiangsu.funding_entry',
  'jiangsu.funding_account',
  'jiangsu.funding_project_total',
  'jiangsu.funding_year_sum',
  'shaanxi.funds_entry',
  'shaanxi.project_account',
] as const;
