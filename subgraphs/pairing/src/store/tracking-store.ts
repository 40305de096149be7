import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { isStorableKey, type ProjectField, type ProvenanceKind } from '@hub/common';
import { chinaYear, queryRows, type Db } from '@hub/db';
import { ceremonies, type Province } from '../db/schema.ts';
import type { CeremonyRow } from './pairing-store.ts';

/** A project in the batch of one of an agreement's ceremonies, with what tracking needs of it. */
export interface TrackedProjectRow {
  agreementId: string;
  projectId: string;
  /** The ceremony whose batch it is in. */
  ceremonyId: string;
  countyCode: string;
  prefectureCode: string;
  field: ProjectField;
  focusPosition: number | null;
  raisedByOrganizationId: string | null;
  matchedOrganizationId: string | null;
  /**
   * The calendar year, in China Standard Time, of its first SIGNED stage event; null when it
   * was never signed. A project signed and later cancelled keeps its year.
   */
  signedYear: number | null;
  /** The Shaanxi signatories of its lines in signed packages of its ceremony. */
  packageSignatoryIds: string[];
}

/** A ceremony known by its declared figures only, with its signatory counties and organizations. */
export interface DeclaredCeremonyRow {
  agreementId: string;
  ceremony: CeremonyRow;
  countyCodes: string[];
  signatories: { id: string; province: Province }[];
}

/** Records of the given kinds only: null is every kind, an empty list none (`in ()` is not SQL). */
function ofKinds(column: SQL, kinds: readonly ProvenanceKind[] | null): SQL {
  if (kinds === null) return sql`true`;
  if (kinds.length === 0) return sql`false`;
  return sql`${column} in ${[...kinds]}`;
}

/** All SQL of tracking an agreement. Each method sends one statement for all agreements asked. */
export class TrackingStore {
  constructor(private readonly db: Db) {}

  /**
   * The projects under the agreements: those in the batch of one of their ceremonies, of the
   * given kinds. One statement, set-based: the first signing of every project and the
   * signatories of every signed package line are each aggregated once and joined, rather than
   * looked up project by project (at 7,000 projects, 75 ms against 290). In no order: every
   * figure made of them is a sum or a set, and whatever needs an order sorts them itself (the
   * tracking, their ids before it asks Jiangsu for their sums); sorting 7,000 rows here took a
   * fifth of the statement.
   */
  async projectsUnderAgreements(agreementIds: readonly string[], kinds: readonly ProvenanceKind[] | null): Promise<TrackedProjectRow[]> {
    const keys = agreementIds.filter(isStorableKey);
    if (keys.length === 0) return [];
    const rows = await queryRows<{
      agreement_id: string;
      project_id: string;
      ceremony_id: string;
      county_code: string;
      prefecture_code: string;
      field: ProjectField;
      focus_position: number | null;
      raised_by_organization_id: string | null;
      matched_organization_id: string | null;
      signed_year: number | null;
      package_signatory_ids: string[];
    }>(
      this.db,
      sql`
      with under as (
        select c.agreement_id, cp.ceremony_id, cp.project_id
        from pairing.ceremony_project cp
        join pairing.ceremony c on c.id = cp.ceremony_id
        where c.agreement_id in ${keys}
      ), signing as (
        select e.project_id, min(e.occurred_at) as first_signed_at from pairing.stage_event e
        where e.to_stage = 'SIGNED' and e.project_id in (select project_id from under)
        group by e.project_id
      ), lines as (
        select l.project_id, k.ceremony_id, jsonb_agg(distinct l.shaanxi_signatory_id) as signatory_ids
        from pairing.ceremony_package_line l
        join pairing.ceremony_package k on k.id = l.package_id
        where k.status = 'SIGNED' and k.ceremony_id in (select ceremony_id from under)
        group by l.project_id, k.ceremony_id
      )
      select u.agreement_id, p.project_id::text as project_id, u.ceremony_id, p.county_code, p.prefecture_code, p.field,
             p.focus_position, p.raised_by_organization_id, p.matched_organization_id,
             ${chinaYear(sql`signing.first_signed_at`)} as signed_year,
             coalesce(lines.signatory_ids, '[]'::jsonb) as package_signatory_ids
      from under u
      join pairing.project_pipeline p on p.project_id = u.project_id
      left join signing on signing.project_id = u.project_id
      left join lines on lines.project_id = u.project_id and lines.ceremony_id = u.ceremony_id
      where ${ofKinds(sql`p.provenance_kind`, kinds)}`,
    );
    return rows.map((row) => ({
      agreementId: row.agreement_id,
      projectId: row.project_id,
      ceremonyId: row.ceremony_id,
      countyCode: row.county_code,
      prefectureCode: row.prefecture_code,
      field: row.field,
      focusPosition: row.focus_position === null ? null : Number(row.focus_position),
      raisedByOrganizationId: row.raised_by_organization_id,
      matchedOrganizationId: row.matched_organization_id,
      signedYear: row.signed_year === null ? null : Number(row.signed_year),
      packageSignatoryIds: [...row.package_signatory_ids].sort(),
    }));
  }

  /**
   * The agreements' ceremonies whose line-by-line list is not in the public record, of the
   * given kinds, with their signatory counties and organizations, oldest first. One statement.
   */
  async declaredCeremoniesOfAgreements(
    agreementIds: readonly string[],
    kinds: readonly ProvenanceKind[] | null,
  ): Promise<DeclaredCeremonyRow[]> {
    const keys = agreementIds.filter(isStorableKey);
    if (keys.length === 0) return [];
    const rows = await this.db
      .select({
        ceremony: ceremonies,
        countyCodes: sql<string[]>`coalesce((
          select jsonb_agg(cc.county_code order by cc.county_code) from pairing.ceremony_county cc
          where cc.ceremony_id = ${ceremonies.id}), '[]'::jsonb)`,
        signatories: sql<{ id: string; province: Province }[]>`coalesce((
          select jsonb_agg(jsonb_build_object('id', o.organization_id, 'province', o.province) order by o.province, o.organization_id)
          from pairing.ceremony_organization o
          where o.ceremony_id = ${ceremonies.id} and o.role = 'SIGNATORY'), '[]'::jsonb)`,
      })
      .from(ceremonies)
      .where(
        and(
          inArray(ceremonies.agreementId, keys),
          eq(ceremonies.lineByLine, 'NOT_IN_PUBLIC_RECORD'),
          ofKinds(sql`${ceremonies.provenanceKind}`, kinds),
        ),
      )
      .orderBy(asc(ceremonies.heldOn), asc(ceremonies.id));
    return rows.map((row) => ({ agreementId: row.ceremony.agreementId, ...row }));
  }
}
