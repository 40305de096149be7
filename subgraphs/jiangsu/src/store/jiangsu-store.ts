import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import { isStorableKey, type ProvenanceKind } from '@hub/common';
import { amongTextsAt, keyList, organizationKinds, organizationWrites, prepared, type Db, type KeyedValues } from '@hub/db';
import { cities, cityPairings, counties, countyPairs, organizations, type OrganizationKind } from '../db/schema.ts';

export type CityRow = typeof cities.$inferSelect;
export type CountyRow = typeof counties.$inferSelect;
export type OrganizationRow = typeof organizations.$inferSelect;
export type CityPairingRow = typeof cityPairings.$inferSelect;
export type CountyPairRow = typeof countyPairs.$inferSelect;

export interface OrganizationFilter {
  kind?: OrganizationKind | null;
  cityCode?: string | null;
  provenance?: readonly ProvenanceKind[] | null;
}

/** All SQL of the Jiangsu subgraph. Batch methods take many keys and send one statement. */
export class JiangsuStore {
  private readonly organizations;

  constructor(private readonly db: Db) {
    this.organizations = organizationWrites<OrganizationRow>(db, organizations);
  }

  allCities(): Promise<CityRow[]> {
    return this.db.select().from(cities).orderBy(asc(cities.code));
  }

  citiesByCodes(codes: readonly string[]): Promise<CityRow[]> {
    const keys = codes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'jiangsu.citiesByCodes', (db) => db.select().from(cities).where(amongTextsAt(cities.code, 'codes'))).execute({ codes: keyList(keys) });
  }

  countiesByCodes(codes: readonly string[]): Promise<CountyRow[]> {
    return this.db.select().from(counties).where(inArray(counties.code, [...codes]));
  }

  countiesByCities(cityCodes: readonly string[]): Promise<CountyRow[]> {
    return this.db
      .select()
      .from(counties)
      .where(inArray(counties.cityCode, [...cityCodes]))
      .orderBy(asc(counties.code));
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

  /** Organizations of the cities, of the given kinds only (null: every kind; []: none). */
  organizationsByCities(cityCodes: readonly string[], kinds: readonly ProvenanceKind[] | null): Promise<OrganizationRow[]> {
    const ofKinds = kinds === null ? [] : [inArray(organizations.provenanceKind, [...kinds])];
    return this.db
      .select()
      .from(organizations)
      .where(and(inArray(organizations.cityCode, [...cityCodes]), ...ofKinds))
      .orderBy(asc(organizations.nameZh));
  }

  organizationsMatching(filter: OrganizationFilter): Promise<OrganizationRow[]> {
    const conditions: SQL[] = [];
    if (filter.kind) conditions.push(eq(organizations.kind, filter.kind));
    if (filter.cityCode) conditions.push(eq(organizations.cityCode, filter.cityCode));
    if (filter.provenance) conditions.push(inArray(organizations.provenanceKind, [...filter.provenance]));
    return this.db
      .select()
      .from(organizations)
      .where(and(...conditions))
      .orderBy(asc(organizations.nameZh));
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

  allCityPairings(): Promise<CityPairingRow[]> {
    return this.db.select().from(cityPairings).orderBy(asc(cityPairings.jiangsuCityCode));
  }

  cityPairingsByJiangsuCities(codes: readonly string[]): Promise<CityPairingRow[]> {
    return this.db.select().from(cityPairings).where(inArray(cityPairings.jiangsuCityCode, [...codes]));
  }

  /** The pairings of Shaanxi's prefectures, each with its Jiangsu city: one statement where a page asks for both. */
  cityPairingsWithCitiesByShaanxiPrefectures(codes: readonly string[]): Promise<{ pairing: CityPairingRow; city: CityRow }[]> {
    const keys = codes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'jiangsu.cityPairingsWithCitiesByShaanxiPrefectures', (db) =>
      db
        .select({ pairing: cityPairings, city: cities })
        .from(cityPairings)
        .innerJoin(cities, eq(cities.code, cityPairings.jiangsuCityCode))
        .where(amongTextsAt(cityPairings.shaanxiPrefectureCode, 'codes')),
    ).execute({ codes: keyList(keys) });
  }

  countyPairsByJiangsuCities(codes: readonly string[]): Promise<CountyPairRow[]> {
    return this.db
      .select()
      .from(countyPairs)
      .where(inArray(countyPairs.jiangsuCityCode, [...codes]))
      .orderBy(asc(countyPairs.shaanxiCountyCode));
  }

  countyPairsByShaanxiCounties(codes: readonly string[]): Promise<CountyPairRow[]> {
    const keys = codes.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return prepared(this.db, 'jiangsu.countyPairsByShaanxiCounties', (db) =>
      db.select().from(countyPairs).where(amongTextsAt(countyPairs.shaanxiCountyCode, 'codes')).orderBy(asc(countyPairs.jiangsuCountyNameZh)),
    ).execute({ codes: keyList(keys) });
  }
}
