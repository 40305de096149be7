import { and, asc, eq, inArray, sql, sum, type SQL } from 'drizzle-orm';
import { isStorableKey, type ProvenanceKind } from '@hub/common';
import { amongTextsAt, chinaToday, keyList, prepared, queryRows, textArray, type Db } from '@hub/db';
import {
  agreementFocuses,
  agreements,
  ceremonies,
  ceremonyCounties,
  ceremonyOrganizations,
  ceremonyProjects,
  type Province,
} from '../db/schema.ts';

export type AgreementRow = typeof agreements.$inferSelect;
export type AgreementFocusRow = typeof agreementFocuses.$inferSelect;
export type CeremonyRow = typeof ceremonies.$inferSelect;
export type CeremonyOrganizationRow = typeof ceremonyOrganizations.$inferSelect;
export type CeremonyCountyRow = typeof ceremonyCounties.$inferSelect;
export type CeremonyProjectRow = typeof ceremonyProjects.$inferSelect;

export type ParticipationRole = 'AGREEMENT_PARTY' | 'COORDINATOR' | 'CEREMONY_HOST' | 'SIGNATORY';

export interface ParticipantRow {
  organizationId: string;
  province: Province;
  roles: ParticipationRole[];
}

export interface AgreementProgressRow {
  agreementId: string;
  ceremoniesHeld: number;
  projectsDeclared: number;
  amountDeclaredFen: bigint;
}

/** A ceremony together with the key it was looked up by (an organization id, a county or project). */
export type CeremonyFor<K extends string> = CeremonyRow & { [key in K]: string };

/** All SQL of the pairing subgraph. Batch methods take many keys and send one statement. */
export class PairingStore {
  constructor(private readonly db: Db) {}

  /** Every agreement, or those of the given provenance kinds. */
  allAgreements(provenance: readonly ProvenanceKind[] | null): Promise<AgreementRow[]> {
    return this.db
      .select()
      .from(agreements)
      .where(provenance ? inArray(agreements.provenanceKind, [...provenance]) : undefined)
      .orderBy(asc(agreements.signedOn), asc(agreements.id));
  }

  agreementsByIds(ids: readonly string[]): Promise<AgreementRow[]> {
    const keys = ids.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(agreements).where(inArray(agreements.id, keys));
  }

  focusesByAgreements(ids: readonly string[]): Promise<AgreementFocusRow[]> {
    return this.db
      .select()
      .from(agreementFocuses)
      .where(inArray(agreementFocuses.agreementId, [...ids]))
      .orderBy(asc(agreementFocuses.position));
  }

  async progressByAgreements(ids: readonly string[]): Promise<AgreementProgressRow[]> {
    const rows = await this.db
      .select({
        agreementId: ceremonies.agreementId,
        // Held: on or before today in China (UTC+8 all year); a ceremony scheduled ahead is not yet.
        ceremoniesHeld: sql<number>`(count(*) filter (where ${ceremonies.heldOn} <= ${chinaToday()}))::int`,
        projectsDeclared: sum(ceremonies.declaredProjectCount),
        amountDeclaredFen: sum(ceremonies.declaredTotalFen),
      })
      .from(ceremonies)
      .where(inArray(ceremonies.agreementId, [...ids]))
      .groupBy(ceremonies.agreementId);
    return rows.map((row) => ({
      agreementId: row.agreementId,
      ceremoniesHeld: row.ceremoniesHeld,
      projectsDeclared: Number(row.projectsDeclared ?? 0),
      amountDeclaredFen: BigInt(row.amountDeclaredFen ?? 0),
    }));
  }

  /** Ceremonies, of one year and of the given provenance kinds when those are given. */
  ceremoniesMatching(year: number | null, provenance: readonly ProvenanceKind[] | null): Promise<CeremonyRow[]> {
    const conditions: SQL[] = [];
    if (year !== null) conditions.push(sql`extract(year from ${ceremonies.heldOn}) = ${year}`);
    if (provenance) conditions.push(inArray(ceremonies.provenanceKind, [...provenance]));
    return this.db
      .select()
      .from(ceremonies)
      .where(and(...conditions))
      .orderBy(asc(ceremonies.heldOn), asc(ceremonies.id));
  }

  ceremoniesByIds(ids: readonly string[]): Promise<CeremonyRow[]> {
    const keys = ids.filter(isStorableKey);
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.select().from(ceremonies).where(inArray(ceremonies.id, keys));
  }

  ceremoniesByAgreements(ids: readonly string[]): Promise<CeremonyRow[]> {
    return this.db
      .select()
      .from(ceremonies)
      .where(inArray(ceremonies.agreementId, [...ids]))
      .orderBy(asc(ceremonies.heldOn), asc(ceremonies.id));
  }

  organizationsOfCeremonies(ids: readonly string[]): Promise<CeremonyOrganizationRow[]> {
    return this.db
      .select()
      .from(ceremonyOrganizations)
      .where(inArray(ceremonyOrganizations.ceremonyId, [...ids]))
      .orderBy(asc(ceremonyOrganizations.province), asc(ceremonyOrganizations.organizationId));
  }

  countiesOfCeremonies(ids: readonly string[]): Promise<CeremonyCountyRow[]> {
    return this.db
      .select()
      .from(ceremonyCounties)
      .where(inArray(ceremonyCounties.ceremonyId, [...ids]))
      .orderBy(asc(ceremonyCounties.countyCode));
  }

  projectsOfCeremonies(ids: readonly string[]): Promise<CeremonyProjectRow[]> {
    return this.db
      .select()
      .from(ceremonyProjects)
      .where(inArray(ceremonyProjects.ceremonyId, [...ids]))
      .orderBy(asc(ceremonyProjects.addedAt), asc(ceremonyProjects.projectId));
  }

  /** Ceremonies each organization hosted or signed at, oldest first. */
  async ceremoniesOfOrganizations(ids: readonly string[]): Promise<CeremonyFor<'organizationId'>[]> {
    const keys = ids.filter(isStorableKey);
    if (keys.length === 0) return [];
    const rows = await this.db
      .selectDistinct({ organizationId: ceremonyOrganizations.organizationId, ceremony: ceremonies })
      .from(ceremonyOrganizations)
      .innerJoin(ceremonies, eq(ceremonies.id, ceremonyOrganizations.ceremonyId))
      .where(inArray(ceremonyOrganizations.organizationId, keys))
      .orderBy(asc(ceremonies.heldOn), asc(ceremonies.id));
    return rows.map(({ organizationId, ceremony }) => ({ ...ceremony, organizationId }));
  }

  /** Ceremonies each county signed at, oldest first. */
  async ceremoniesOfCounties(codes: readonly string[]): Promise<CeremonyFor<'countyCode'>[]> {
    const keys = codes.filter(isStorableKey);
    if (keys.length === 0) return [];
    const rows = await prepared(this.db, 'pairing.ceremoniesOfCounties', (db) =>
      db
        .select({ countyCode: ceremonyCounties.countyCode, ceremony: ceremonies })
        .from(ceremonyCounties)
        .innerJoin(ceremonies, eq(ceremonies.id, ceremonyCounties.ceremonyId))
        .where(amongTextsAt(ceremonyCounties.countyCode, 'codes'))
        .orderBy(asc(ceremonies.heldOn), asc(ceremonies.id)),
    ).execute({ codes: keyList(keys) });
    return rows.map(({ countyCode, ceremony }) => ({ ...ceremony, countyCode }));
  }

  /**
   * Organizations taking part, with their roles. A participation is of the kind of the
   * agreement or ceremony it comes from, so the demo agreement and ceremony can be left out.
   */
  async participants(province: Province | null, provenance: readonly ProvenanceKind[] | null): Promise<ParticipantRow[]> {
    // An empty list of kinds matches nothing; `in ()` is not SQL, so say false.
    const kinds = provenance === null ? sql`true` : provenance.length === 0 ? sql`false` : sql`provenance_kind in ${provenance}`;
    const rows = await queryRows<{ organization_id: string; province: Province; roles: ParticipationRole[] | string }>(
      this.db,
      sql`
      select organization_id, province, array_agg(distinct role order by role) as roles
      from (
        select jiangsu_party_id as organization_id, 'JIANGSU' as province, 'AGREEMENT_PARTY' as role, provenance_kind
          from ${agreements}
        union all
        select shaanxi_party_id, 'SHAANXI', 'AGREEMENT_PARTY', provenance_kind from ${agreements}
        union all
        select coordinator_id, 'SHAANXI', 'COORDINATOR', provenance_kind from ${agreements} where coordinator_id is not null
        union all
        select o.organization_id, o.province, case o.role when 'HOST' then 'CEREMONY_HOST' else 'SIGNATORY' end, c.provenance_kind
          from ${ceremonyOrganizations} o join ${ceremonies} c on c.id = o.ceremony_id
      ) as participation
      where (${province}::text is null or province = ${province}) and ${kinds}
      group by organization_id, province
      order by province desc, organization_id`,
    );
    return rows.map((row) => ({
      organizationId: row.organization_id,
      province: row.province,
      roles: textArray(row.roles),
    }));
  }
}
