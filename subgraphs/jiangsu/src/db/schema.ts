import { sql } from 'drizzle-orm';
import { MAX_ENTRY_FEN, MAX_PROJECT_TOTAL_FEN, ORGANIZATION_KINDS, type OrganizationKind, type ProjectField } from '@hub/common';
import { creationKeyColumns, ledgerEntryColumns, oneOf, provenanceCheck, provenanceColumns } from '@hub/db';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const jiangsu = pgSchema('jiangsu');


export const cities = jiangsu.table(
  'city',
  {
    code: text('code').primaryKey(),
    nameZh: text('name_zh').notNull(),
    /** Null where no source gives it: the division codes package has Chinese names only. */
    namePinyin: text('name_pinyin'),
    ...provenanceColumns(),
  },
  (t) => [check('city_code_format', sql`${t.code} ~ '^32[0-9]{2}00$'`), provenanceCheck('city_provenance_kind')],
);

/** A county-level division of Jiangsu (区, 县 or 县级市) by its GB/T 2260 code. */
export const counties = jiangsu.table(
  'county',
  {
    code: text('code').primaryKey(),
    nameZh: text('name_zh').notNull(),
    cityCode: text('city_code')
      .notNull()
      .references(() => cities.code),
    ...provenanceColumns(),
  },
  (t) => [
    check('county_code_format', sql`${t.code} ~ '^32[0-9]{4}$'`),
    provenanceCheck('county_provenance_kind'),
    index('county_city_idx').on(t.cityCode),
  ],
);

export const organizations = jiangsu.table(
  'organization',
  {
    id: text('id').primaryKey(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    kind: text('kind').$type<OrganizationKind>().notNull(),
    /** 统一社会信用代码, 18 characters, when known. */
    unifiedSocialCreditCode: text('unified_social_credit_code'),
    cityCode: text('city_code').references(() => cities.code),
    description: text('description'),
    website: text('website'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
    ...creationKeyColumns(),
  },
  (t) => [
    oneOf('organization_kind', 'kind', ORGANIZATION_KINDS),
    provenanceCheck('organization_provenance_kind'),
    uniqueIndex('organization_uscc_unique').on(t.unifiedSocialCreditCode),
    uniqueIndex('organization_idempotency_key_unique').on(t.idempotencyKey),
    index('organization_city_idx').on(t.cityCode),
  ],
);

export const PAIRING_EVIDENCE = ['CITY', 'COUNTY_ONLY'] as const;
export type PairingEvidence = (typeof PAIRING_EVIDENCE)[number];

/** A Jiangsu city paired with a Shaanxi prefecture; the prefecture is referenced by code only. */
export const cityPairings = jiangsu.table(
  'city_pairing',
  {
    jiangsuCityCode: text('jiangsu_city_code')
      .primaryKey()
      .references(() => cities.code),
    shaanxiPrefectureCode: text('shaanxi_prefecture_code').notNull(),
    evidence: text('evidence').$type<PairingEvidence>().notNull(),
    sinceYear: integer('since_year'),
    notes: text('notes'),
    ...provenanceColumns(),
  },
  (t) => [
    uniqueIndex('city_pairing_prefecture_unique').on(t.shaanxiPrefectureCode),
    check('city_pairing_prefecture_format', sql`${t.shaanxiPrefectureCode} ~ '^61[0-9]{2}00$'`),
    oneOf('city_pairing_evidence', 'evidence', PAIRING_EVIDENCE),
    provenanceCheck('city_pairing_provenance_kind'),
  ],
);

/** A Jiangsu county-level division paired with a Shaanxi county, as documented. */
export const countyPairs = jiangsu.table(
  'county_pair',
  {
    jiangsuCityCode: text('jiangsu_city_code')
      .notNull()
      .references(() => cities.code),
    jiangsuCountyNameZh: text('jiangsu_county_name_zh').notNull(),
    /** The division the record's name stands for; null when no division of the city has that name. */
    jiangsuCountyCode: text('jiangsu_county_code').references(() => counties.code),
    shaanxiCountyCode: text('shaanxi_county_code').notNull(),
    sinceYear: integer('since_year'),
    ...provenanceColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.jiangsuCountyNameZh, t.shaanxiCountyCode] }),
    check('county_pair_county_format', sql`${t.shaanxiCountyCode} ~ '^61[0-9]{4}$'`),
    index('county_pair_city_idx').on(t.jiangsuCityCode),
    index('county_pair_county_idx').on(t.shaanxiCountyCode),
    provenanceCheck('county_pair_provenance_kind'),
  ],
);

/** The money Jiangsu records, named after IATI transaction types. */
export const FUNDING_KINDS = ['PLEDGE', 'COMMITMENT', 'DISBURSEMENT'] as const;
export type FundingKind = (typeof FUNDING_KINDS)[number];
/** The kinds of entries summed by year (`fundingYearSums`): what moves money, not the pledges that promise it. */
export const YEAR_SUMMED_KINDS = ['COMMITMENT', 'DISBURSEMENT'] as const satisfies readonly FundingKind[];
export type YearSummedKind = (typeof YEAR_SUMMED_KINDS)[number];

const ENTRY_LIMIT = sql.raw(String(MAX_ENTRY_FEN));
const TOTAL_LIMIT = sql.raw(String(MAX_PROJECT_TOTAL_FEN));

/**
 * What one organization has pledged, committed and disbursed to one project: the running
 * totals of its ledger entries, updated in the same transaction as each entry. Its checks are
 * the invariants: nothing negative, never more disbursed than committed, within the limit.
 */
export const fundingAccounts = jiangsu.table(
  'funding_account',
  {
    projectId: uuid('project_id').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    pledgedFen: bigint('pledged_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    committedFen: bigint('committed_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    disbursedFen: bigint('disbursed_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.organizationId] }),
    check('funding_account_not_negative', sql`${t.pledgedFen} >= 0 and ${t.committedFen} >= 0 and ${t.disbursedFen} >= 0`),
    check('funding_account_disbursed_within_committed', sql`${t.disbursedFen} <= ${t.committedFen}`),
    check(
      'funding_account_within_limit',
      sql`${t.pledgedFen} <= ${TOTAL_LIMIT} and ${t.committedFen} <= ${TOTAL_LIMIT} and ${t.disbursedFen} <= ${TOTAL_LIMIT}`,
    ),
    index('funding_account_organization_idx').on(t.organizationId),
  ],
);

/**
 * What all organizations together have pledged, committed and disbursed to one project, kept
 * in step with the accounts in the same transaction. A check cannot sum rows, so this row is
 * where the project's limit holds; updating it also queues concurrent entries of one project.
 */
export const fundingProjectTotals = jiangsu.table(
  'funding_project_total',
  {
    projectId: uuid('project_id').primaryKey(),
    pledgedFen: bigint('pledged_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    committedFen: bigint('committed_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    disbursedFen: bigint('disbursed_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('funding_project_total_not_negative', sql`${t.pledgedFen} >= 0 and ${t.committedFen} >= 0 and ${t.disbursedFen} >= 0`),
    check(
      'funding_project_total_within_limit',
      sql`${t.pledgedFen} <= ${TOTAL_LIMIT} and ${t.committedFen} <= ${TOTAL_LIMIT} and ${t.disbursedFen} <= ${TOTAL_LIMIT}`,
    ),
  ],
);

/** One pledge, commitment or disbursement, as recorded; entries are never changed. */
export const fundingEntries = jiangsu.table(
  'funding_entry',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    kind: text('kind').$type<FundingKind>().notNull(),
    ...ledgerEntryColumns(),
  },
  (t) => [
    // A key is the caller's name for one entry in one organization's books: two organizations
    // may pick the same key without seeing or blocking each other's entries (docs/decisions/0020).
    uniqueIndex('funding_entry_organization_idempotency_key_unique').on(t.organizationId, t.idempotencyKey),
    oneOf('funding_entry_kind', 'kind', FUNDING_KINDS),
    oneOf('funding_entry_currency', 'currency', ['CNY']),
    check('funding_entry_amount_positive', sql`${t.amountFen} > 0`),
    check('funding_entry_amount_within_limit', sql`${t.amountFen} <= ${ENTRY_LIMIT}`),
    provenanceCheck('funding_entry_provenance_kind'),
    index('funding_entry_project_idx').on(t.projectId, t.recordedAt),
  ],
);

/**
 * What an organization committed or disbursed to a project in one calendar year (China
 * Standard Time), summed: what an agreement's tracking counts, read without summing the
 * entries at each request. Kept by a trigger on the entries (migration 0009), in the
 * transaction that writes them, whoever writes them. Pledges are promises, which the tracking
 * does not count: a pledge writes no row here, so what was kept of the tracking stays current
 * through it.
 */
export const fundingYearSums = jiangsu.table(
  'funding_year_sum',
  {
    projectId: uuid('project_id').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    kind: text('kind').$type<YearSummedKind>().notNull(),
    year: integer('year').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.organizationId, t.kind, t.year] }),
    oneOf('funding_year_sum_kind', 'kind', YEAR_SUMMED_KINDS),
    check('funding_year_sum_within_limit', sql`${t.amountFen} >= 0 and ${t.amountFen} <= ${TOTAL_LIMIT}`),
  ],
);

export const REPORTING_LANGUAGES = ['ZH', 'EN'] as const;
export type ReportingLanguage = (typeof REPORTING_LANGUAGES)[number];

/** What a giving profile states; the profile and each of its kept versions hold the same. */
function givingProfileColumns() {
  return {
    fields: text('fields').array().$type<ProjectField[]>().notNull(),
    preferredPrefectureCodes: text('preferred_prefecture_codes').array().notNull(),
    preferredCountyCodes: text('preferred_county_codes').array().notNull(),
    countPairedCity: boolean('count_paired_city').notNull(),
    prioritizeDeepPoverty: boolean('prioritize_deep_poverty').notNull(),
    prioritizeRevolutionaryOldArea: boolean('prioritize_revolutionary_old_area').notNull(),
    yearlyBudgetFen: bigint('yearly_budget_fen', { mode: 'bigint' }),
    smallestGrantFen: bigint('smallest_grant_fen', { mode: 'bigint' }),
    largestGrantFen: bigint('largest_grant_fen', { mode: 'bigint' }),
    reportingLanguages: text('reporting_languages').array().$type<ReportingLanguage[]>().notNull(),
    public: boolean('public').notNull(),
  };
}

/**
 * An organization's giving profile as it stands: one row per organization, at its latest
 * version. Every version, this one included, is also in `giving_profile_version`.
 */
export const givingProfiles = jiangsu.table(
  'giving_profile',
  {
    organizationId: text('organization_id')
      .primaryKey()
      .references(() => organizations.id),
    version: integer('version').notNull(),
    ...givingProfileColumns(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
  },
  (t) => [
    check('giving_profile_version_positive', sql`${t.version} >= 1`),
    check('giving_profile_amounts_positive', sql`coalesce(${t.yearlyBudgetFen}, 1) > 0 and coalesce(${t.smallestGrantFen}, 1) > 0 and coalesce(${t.largestGrantFen}, 1) > 0`),
    check('giving_profile_grant_range', sql`${t.smallestGrantFen} is null or ${t.largestGrantFen} is null or ${t.smallestGrantFen} <= ${t.largestGrantFen}`),
    check('giving_profile_languages', sql`cardinality(${t.reportingLanguages}) >= 1 and ${t.reportingLanguages} <@ array['ZH', 'EN']`),
    provenanceCheck('giving_profile_provenance_kind'),
  ],
);

/** Every version of every giving profile, as it was set. Never updated or deleted. */
export const givingProfileVersions = jiangsu.table(
  'giving_profile_version',
  {
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    version: integer('version').notNull(),
    ...givingProfileColumns(),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
    setByRole: text('set_by_role').notNull(),
    setBySubject: text('set_by_subject'),
    ...provenanceColumns(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.version] }), provenanceCheck('giving_profile_version_provenance_kind')],
);

/**
 * An organization's word that it is interested in a project: a note for the offices and the
 * amount it has in mind, which is not money in the books. At most one stands per organization
 * and project; a withdrawn one is kept.
 */
export const projectInterests = jiangsu.table(
  'project_interest',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    note: text('note').notNull(),
    amountInMindFen: bigint('amount_in_mind_fen', { mode: 'bigint' }),
    idempotencyKey: text('idempotency_key').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
    expressedAt: timestamp('expressed_at', { withTimezone: true }).notNull().defaultNow(),
    expressedByRole: text('expressed_by_role').notNull(),
    expressedBySubject: text('expressed_by_subject'),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    withdrawnBySubject: text('withdrawn_by_subject'),
    ...provenanceColumns(),
  },
  (t) => [
    uniqueIndex('project_interest_standing_unique').on(t.projectId, t.organizationId).where(sql`withdrawn_at is null`),
    uniqueIndex('project_interest_organization_idempotency_key_unique').on(t.organizationId, t.idempotencyKey),
    check('project_interest_amount_positive', sql`${t.amountInMindFen} is null or (${t.amountInMindFen} > 0 and ${t.amountInMindFen} <= ${ENTRY_LIMIT})`),
    index('project_interest_project_idx').on(t.projectId),
    provenanceCheck('project_interest_provenance_kind'),
  ],
);

/** Seed sets applied to this schema, so each loads once. */
export const seedLog = jiangsu.table('seed_log', {
  name: text('name').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});
export type { OrganizationKind } from '@hub/common';
