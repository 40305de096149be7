import { and, asc, count, desc, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { isStorableKey, isUuid, type TimeCursor } from '@hub/common';
import { organizationWrites, updateVersioned, type Db, type VersionedUpdate } from '@hub/db';
import { counties, organizations, prefectures, projectNeeds, type OrganizationKind, type ProjectField } from '../db/schema.ts';

export type PrefectureRow = typeof prefectures.$inferSelect;
export type CountyRow = typeof counties.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type ProjectNeedRow = typeof projectNeeds.$inferSelect;

export interface CountyFilter {
  prefectureCode?: string | null;
  povertyCounty?: boolean | null;
  exitedPovertyYear?: number | null;
  deepPoverty?: boolean | null;
}

export interface OrganizationFilter {
  kind?: OrganizationKind | null;
  homeCountyCode?: string | null;
}

export interface ProjectNeedFilter {
  countyCode?: string | null;
  prefectureCode?: string | null;
  field?: ProjectField | null;
}


/** All SQL of the Shaanxi subgraph. Batch methods take many keys and send one statement. */
export class ShaanxiStore {
  private readonly organizations;

  constructor(private readonly db: Db) {
    this.organizations = organizationWrites<OrganizationRow>(db, organizations);
  }

  allPrefectures(): Promise<PrefectureRow[]> {
    return this.db.select().from(prefectures).orderBy(asc(prefectures.code));
  }

  prefecturesByCodes(codes: readonly string[]): Promise<PrefectureRow[]> {
    return this.db.select().from(prefectures).where(inArray(prefectures.code, [...codes]));
  }

  countiesByCodes(codes: readonly string[]): Promise<CountyRow[]> {
    return this.db.select().from(counties).where(inArray(counties.code, [...codes]));
  }

  countiesByPrefectures(prefectureCodes: readonly string[]): Promise<CountyRow[]> {
    return this.db
      .select()
      .from(counties)
      .where(inArray(counties.prefectureCode, [...prefectureCodes]))
      .orderBy(asc(counties.code));
  }

  /** One page of counties by code, fetching one extra row to tell whether more follow. */
  countiesPage(filter: CountyFilter, first: number, after: string | null): Promise<CountyRow[]> {
    const conditions = countyConditions(filter);
    if (after) conditions.push(gt(counties.code, after));
    return this.db
      .select()
      .from(counties)
      .where(and(...conditions))
      .orderBy(asc(counties.code))
      .limit(first + 1);
  }

  async countCounties(filter: CountyFilter): Promise<number> {
    const [row] = await this.db.select({ total: count() }).from(counties).where(and(...countyConditions(filter)));
    return row?.total ?? 0;
  }

  organizationsByIds(ids: readonly string[]): Promise<OrganizationRow[]> {
    const keys = ids.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(organizations).where(inArray(organizations.id, keys));
  }

  organizationsByHomeCounties(countyCodes: readonly string[]): Promise<OrganizationRow[]> {
    return this.db
      .select()
      .from(organizations)
      .where(inArray(organizations.homeCountyCode, [...countyCodes]))
      .orderBy(asc(organizations.nameZh));
  }

  organizationsMatching(filter: OrganizationFilter): Promise<OrganizationRow[]> {
    const conditions: SQL[] = [];
    if (filter.kind) conditions.push(eq(organizations.kind, filter.kind));
    if (filter.homeCountyCode) conditions.push(eq(organizations.homeCountyCode, filter.homeCountyCode));
    return this.db
      .select()
      .from(organizations)
      .where(and(...conditions))
      .orderBy(asc(organizations.nameZh));
  }

  projectNeedsByIds(ids: readonly string[]): Promise<ProjectNeedRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return Promise.resolve([]);
    return this.db.select().from(projectNeeds).where(inArray(projectNeeds.id, valid));
  }

  projectNeedsByCounties(countyCodes: readonly string[]): Promise<ProjectNeedRow[]> {
    return this.db
      .select()
      .from(projectNeeds)
      .where(inArray(projectNeeds.countyCode, [...countyCodes]))
      .orderBy(...newestFirst);
  }

  projectNeedsByOrganizations(organizationIds: readonly string[]): Promise<ProjectNeedRow[]> {
    return this.db
      .select()
      .from(projectNeeds)
      .where(inArray(projectNeeds.raisedByOrganizationId, [...organizationIds]))
      .orderBy(...newestFirst);
  }

  /** One page of project needs, newest first, fetching one extra row to tell whether more follow. */
  projectNeedsPage(filter: ProjectNeedFilter, first: number, after: TimeCursor | null): Promise<ProjectNeedRow[]> {
    const conditions = projectConditions(filter);
    if (after) {
      const position = or(
        lt(projectNeeds.createdAt, after.at),
        and(eq(projectNeeds.createdAt, after.at), lt(projectNeeds.id, after.id)),
      );
      if (position) conditions.push(position);
    }
    return this.db
      .select()
      .from(projectNeeds)
      .where(and(...conditions))
      .orderBy(...newestFirst)
      .limit(first + 1);
  }

  async countProjectNeeds(filter: ProjectNeedFilter): Promise<number> {
    const [row] = await this.db
      .select({ total: count() })
      .from(projectNeeds)
      .where(and(...projectConditions(filter)));
    return row?.total ?? 0;
  }

  /** Inserts an organization; a duplicate Unified Social Credit Code is reported, not thrown. */
  insertOrganization(values: typeof organizations.$inferInsert) {
    return this.organizations.insert(values);
  }

  /** Edits an organization if it is still at `expectedVersion`. */
  updateOrganization(id: string, expectedVersion: number, changes: Partial<typeof organizations.$inferInsert>) {
    return this.organizations.update(id, expectedVersion, changes);
  }

  async insertProjectNeed(values: typeof projectNeeds.$inferInsert): Promise<ProjectNeedRow> {
    const [row] = await this.db.insert(projectNeeds).values(values).returning();
    return row as ProjectNeedRow;
  }

  updateProjectNeed(
    id: string,
    expectedVersion: number,
    changes: Partial<typeof projectNeeds.$inferInsert>,
  ): Promise<VersionedUpdate<ProjectNeedRow>> {
    if (!isUuid(id)) return Promise.resolve({ type: 'not-found' });
    return updateVersioned<ProjectNeedRow>(this.db, projectNeeds, { column: projectNeeds.id, value: id }, expectedVersion, changes);
  }

  /** Checks the database answers; used by health checks. */
  async ping(): Promise<void> {
    await this.db.execute(sql`select 1`);
  }
}

const newestFirst = [desc(projectNeeds.createdAt), desc(projectNeeds.id)] as const;

function countyConditions(filter: CountyFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.prefectureCode) conditions.push(eq(counties.prefectureCode, filter.prefectureCode));
  if (filter.povertyCounty != null) conditions.push(eq(counties.povertyCounty, filter.povertyCounty));
  if (filter.exitedPovertyYear != null) conditions.push(eq(counties.exitedPovertyYear, filter.exitedPovertyYear));
  if (filter.deepPoverty != null) conditions.push(eq(counties.deepPoverty, filter.deepPoverty));
  return conditions;
}

function projectConditions(filter: ProjectNeedFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.countyCode) conditions.push(eq(projectNeeds.countyCode, filter.countyCode));
  if (filter.prefectureCode) {
    conditions.push(
      inArray(
        projectNeeds.countyCode,
        sql`(select ${counties.code} from ${counties} where ${counties.prefectureCode} = ${filter.prefectureCode})`,
      ),
    );
  }
  if (filter.field) conditions.push(eq(projectNeeds.field, filter.field));
  return conditions;
}
