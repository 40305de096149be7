import { and, asc, count, desc, eq, gt, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { isStorableKey, isUuid, type ProvenanceKind, type TimeCursor } from '@hub/common';
import {
  amongTextsAt,
  amongUuidsAt,
  createOnce,
  keyList,
  newestFirstPage,
  organizationKinds,
  organizationWrites,
  prepared,
  sumsByProjectSets,
  unlessOverLimit,
  updateVersioned,
  uuidList,
  type CreateOnce,
  type Db,
  type KeyedValues,
  type OverLimit,
  type VersionedUpdate,
} from '@hub/db';
import type { ProjectAccountRow } from './funds-store.ts';
import { counties, organizations, prefectures, projectAccounts, projectNeeds, type OrganizationKind, type ProjectField } from '../db/schema.ts';

export type PrefectureRow = typeof prefectures.$inferSelect;
export type CountyRow = typeof counties.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type ProjectNeedRow = typeof projectNeeds.$inferSelect;

/** A need read by id with where it is, and, when asked, its account (`projectNeedsWithCountiesByIds`). */
export interface NeedWithCounty {
  need: ProjectNeedRow;
  county: CountyRow;
  prefecture: PrefectureRow;
  account?: ProjectAccountRow | null;
}

export interface CountyFilter {
  prefectureCode?: string | null;
  povertyCounty?: boolean | null;
  exitedPovertyYear?: number | null;
  deepPoverty?: boolean | null;
  provenance?: readonly ProvenanceKind[] | null;
}

export interface OrganizationFilter {
  kind?: OrganizationKind | null;
  homeCountyCode?: string | null;
  provenance?: readonly ProvenanceKind[] | null;
}

export interface ProjectNeedFilter {
  countyCode?: string | null;
  prefectureCode?: string | null;
  field?: ProjectField | null;
  provenance?: readonly ProvenanceKind[] | null;
}


/** Whether a reader sees draft needs (not yet published): the Shaanxi office and the hub's services do. */
export type NeedReader = 'drafts-included' | 'published-only';

/**
 * All SQL of the Shaanxi subgraph. Batch methods take many keys and send one statement.
 * Every read of needs is filtered for `reader` here, so no list, count or lookup can show a
 * draft to someone who may not see it.
 */
export class ShaanxiStore {
  private readonly organizations;

  constructor(
    private readonly db: Db,
    private readonly reader: NeedReader = 'published-only',
  ) {
    this.organizations = organizationWrites<OrganizationRow>(db, organizations);
  }

  /** The condition that hides drafts from this reader, as a list to spread into a where. */
  private visibleNeeds(): SQL[] {
    return this.reader === 'drafts-included' ? [] : [isNotNull(projectNeeds.publishedAt)];
  }

  allPrefectures(): Promise<PrefectureRow[]> {
    return this.db.select().from(prefectures).orderBy(asc(prefectures.code));
  }

  prefecturesByCodes(codes: readonly string[]): Promise<PrefectureRow[]> {
    const keys = codes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'shaanxi.prefecturesByCodes', (db) => db.select().from(prefectures).where(amongTextsAt(prefectures.code, 'codes'))).execute({
      codes: keyList(keys),
    });
  }

  /**
   * Counties by code, a county renamed since the public record also by its current code
   * (docs/decisions/0013), each with its prefecture, which a county's readers mostly ask next.
   */
  countiesWithPrefecturesByCodes(codes: readonly string[]): Promise<{ county: CountyRow; prefecture: PrefectureRow }[]> {
    const keys = codes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'shaanxi.countiesWithPrefecturesByCodes', (db) =>
      db
        .select({ county: counties, prefecture: prefectures })
        .from(counties)
        .innerJoin(prefectures, eq(prefectures.code, counties.prefectureCode))
        .where(or(amongTextsAt(counties.code, 'codes'), amongTextsAt(counties.currentCode, 'codes'))),
    ).execute({ codes: keyList(keys) });
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

  /** The kinds of the organizations this province knows among `ids` (see organizationKinds). */
  kindsByIds(ids: readonly string[]): Promise<{ id: string; kind: OrganizationKind }[]> {
    return organizationKinds(this.db, organizations, ids);
  }

  /** Organizations of the counties, of the given kinds only (null: every kind). */
  organizationsByHomeCounties(countyCodes: readonly string[], kinds: readonly ProvenanceKind[] | null): Promise<OrganizationRow[]> {
    const keys = countyCodes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, `shaanxi.organizationsByHomeCounties.${kindsName(kinds)}`, (db) =>
      db
        .select()
        .from(organizations)
        .where(and(amongTextsAt(organizations.homeCountyCode, 'codes'), ...ofKinds(organizations.provenanceKind, kinds)))
        .orderBy(asc(organizations.nameZh)),
    ).execute({ codes: keyList(keys) });
  }

  organizationsMatching(filter: OrganizationFilter): Promise<OrganizationRow[]> {
    const conditions: SQL[] = [];
    if (filter.kind) conditions.push(eq(organizations.kind, filter.kind));
    if (filter.homeCountyCode) conditions.push(isCounty(organizations.homeCountyCode, filter.homeCountyCode));
    if (filter.provenance) conditions.push(inArray(organizations.provenanceKind, [...filter.provenance]));
    return this.db
      .select()
      .from(organizations)
      .where(and(...conditions))
      .orderBy(asc(organizations.nameZh));
  }

  /**
   * Visible needs by id, each with its county and the county's prefecture: whoever reads a need
   * by id nearly always shows where it is (a lookup, a page of the pipeline), and the county and
   * prefecture tables change only when a county is renamed, so the join costs a statement less
   * and keeps nothing the less long. With `account`, each with what it has received and spent
   * too (null where nothing has been recorded), for a reader that shows its money.
   */
  projectNeedsWithCountiesByIds(ids: readonly string[], { account }: { account: boolean }): Promise<NeedWithCounty[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return Promise.resolve([]);
    if (account) {
      return prepared(this.db, `shaanxi.projectNeedsWithCountiesAndAccountsByIds.${this.reader}`, (db) =>
        db
          .select({ need: projectNeeds, county: counties, prefecture: prefectures, account: projectAccounts })
          .from(projectNeeds)
          .innerJoin(counties, eq(counties.code, projectNeeds.countyCode))
          .innerJoin(prefectures, eq(prefectures.code, counties.prefectureCode))
          .leftJoin(projectAccounts, eq(projectAccounts.projectId, projectNeeds.id))
          .where(and(amongUuidsAt(projectNeeds.id, 'ids'), ...this.visibleNeeds())),
      ).execute({ ids: uuidList(valid) });
    }
    return prepared(this.db, `shaanxi.projectNeedsWithCountiesByIds.${this.reader}`, (db) =>
      db
        .select({ need: projectNeeds, county: counties, prefecture: prefectures })
        .from(projectNeeds)
        .innerJoin(counties, eq(counties.code, projectNeeds.countyCode))
        .innerJoin(prefectures, eq(prefectures.code, counties.prefectureCode))
        .where(and(amongUuidsAt(projectNeeds.id, 'ids'), ...this.visibleNeeds())),
    ).execute({ ids: uuidList(valid) });
  }

  /**
   * What the visible needs of each set of projects (a funnel's stage) seek, every set in one
   * statement, added up by the database as numeric (decimal strings of fen) so no sum is rounded.
   */
  async amountSoughtByProjectSets(sets: readonly string[]): Promise<string[]> {
    const sums = await sumsByProjectSets(
      this.db,
      { table: projectNeeds, projectId: projectNeeds.id, columns: { amountSoughtFen: projectNeeds.amountSoughtFen }, where: and(...this.visibleNeeds()) },
      sets,
    );
    return sums.map((row) => row.amountSoughtFen);
  }

  /** Visible needs of the counties, of the given kinds only (null: every kind). */
  projectNeedsByCounties(countyCodes: readonly string[], kinds: readonly ProvenanceKind[] | null): Promise<ProjectNeedRow[]> {
    const keys = countyCodes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, `shaanxi.projectNeedsByCounties.${kindsName(kinds)}.${this.reader}`, (db) =>
      db
        .select()
        .from(projectNeeds)
        .where(and(amongTextsAt(projectNeeds.countyCode, 'codes'), ...ofKinds(projectNeeds.provenanceKind, kinds), ...this.visibleNeeds()))
        .orderBy(...newestFirst),
    ).execute({ codes: keyList(keys) });
  }

  /** Visible needs the organizations raised, of the given kinds only (null: every kind). */
  projectNeedsByOrganizations(organizationIds: readonly string[], kinds: readonly ProvenanceKind[] | null): Promise<ProjectNeedRow[]> {
    return this.db
      .select()
      .from(projectNeeds)
      .where(and(inArray(projectNeeds.raisedByOrganizationId, [...organizationIds]), ...ofKinds(projectNeeds.provenanceKind, kinds), ...this.visibleNeeds()))
      .orderBy(...newestFirst);
  }

  /** One page of project needs, newest first, and how many needs the filter holds: one statement. */
  projectNeedsPage(filter: ProjectNeedFilter, first: number, after: TimeCursor | null): Promise<{ rows: ProjectNeedRow[]; totalCount: number }> {
    const list = {
      table: projectNeeds,
      at: projectNeeds.createdAt,
      id: projectNeeds.id,
      matching: and(...projectConditions(filter), ...this.visibleNeeds()),
    };
    return newestFirstPage(this.db, list, first, after);
  }

  /**
   * Inserts an organization, once per idempotency key; a duplicate Unified Social Credit Code
   * is reported, not thrown.
   */
  insertOrganization(values: typeof organizations.$inferInsert & KeyedValues) {
    return this.organizations.insert(values);
  }

  /** Edits an organization if it is still at `expectedVersion`. */
  updateOrganization(id: string, expectedVersion: number, changes: Partial<typeof organizations.$inferInsert>) {
    return this.organizations.update(id, expectedVersion, changes);
  }

  /** Inserts a need, once per idempotency key; an amount sought over the limit is `over-limit`. */
  insertProjectNeed(values: typeof projectNeeds.$inferInsert & KeyedValues): Promise<CreateOnce<ProjectNeedRow> | OverLimit> {
    return unlessOverLimit(() => createOnce<ProjectNeedRow>(this.db, projectNeeds, values));
  }

  updateProjectNeed(
    id: string,
    expectedVersion: number,
    changes: Partial<typeof projectNeeds.$inferInsert>,
  ): Promise<VersionedUpdate<ProjectNeedRow> | OverLimit> {
    if (!isUuid(id)) return Promise.resolve({ type: 'not-found' });
    return unlessOverLimit(() =>
      updateVersioned<ProjectNeedRow>(this.db, projectNeeds, { column: projectNeeds.id, value: id }, expectedVersion, changes),
    );
  }

  /**
   * Marks a need published, keeping the first time it was: publishing again (a retried move,
   * a project sent back to PUBLISHED) changes nothing. Null when there is no such need.
   */
  async markNeedPublished(id: string): Promise<ProjectNeedRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .update(projectNeeds)
      .set({ publishedAt: sql`coalesce(${projectNeeds.publishedAt}, now())` })
      .where(eq(projectNeeds.id, id))
      .returning();
    return row ?? null;
  }

  /**
   * Makes a need a draft again: the undoing of a mark whose pipeline move was not made.
   * Null when there is no such need.
   */
  async clearNeedPublished(id: string): Promise<ProjectNeedRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .update(projectNeeds)
      .set({ publishedAt: null })
      .where(eq(projectNeeds.id, id))
      .returning();
    return row ?? null;
  }
}

const newestFirst = [desc(projectNeeds.createdAt), desc(projectNeeds.id)] as const;

/** Records of these kinds only, as a list to spread into a where: none for null (every kind); `false` for []. */
function ofKinds(column: PgColumn, kinds: readonly ProvenanceKind[] | null): SQL[] {
  return kinds === null ? [] : [inArray(column, [...kinds])];
}

/** Part of a prepared read's name: the kinds it is built for (see ofKinds). */
function kindsName(kinds: readonly ProvenanceKind[] | null): string {
  return kinds === null ? 'every-kind' : `kinds-${[...kinds].sort().join('+')}`;
}

/** `column` names the county `code`, by the code records keep or by its current code. */
function isCounty(column: PgColumn, code: string): SQL {
  return inArray(column, sql`(select ${counties.code} from ${counties} where ${counties.code} = ${code} or ${counties.currentCode} = ${code})`);
}

function countyConditions(filter: CountyFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.prefectureCode) conditions.push(eq(counties.prefectureCode, filter.prefectureCode));
  if (filter.povertyCounty != null) conditions.push(eq(counties.povertyCounty, filter.povertyCounty));
  if (filter.exitedPovertyYear != null) conditions.push(eq(counties.exitedPovertyYear, filter.exitedPovertyYear));
  if (filter.deepPoverty != null) conditions.push(eq(counties.deepPoverty, filter.deepPoverty));
  if (filter.provenance) conditions.push(inArray(counties.provenanceKind, [...filter.provenance]));
  return conditions;
}

function projectConditions(filter: ProjectNeedFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.countyCode) conditions.push(isCounty(projectNeeds.countyCode, filter.countyCode));
  if (filter.prefectureCode) {
    conditions.push(
      inArray(
        projectNeeds.countyCode,
        sql`(select ${counties.code} from ${counties} where ${counties.prefectureCode} = ${filter.prefectureCode})`,
      ),
    );
  }
  if (filter.field) conditions.push(eq(projectNeeds.field, filter.field));
  if (filter.provenance) conditions.push(inArray(projectNeeds.provenanceKind, [...filter.provenance]));
  return conditions;
}
