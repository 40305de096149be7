import { sql } from 'drizzle-orm';
import {
  MAX_ENTRY_FEN,
  MAX_PROJECT_TOTAL_FEN,
  ORGANIZATION_KINDS,
  PROJECT_FIELDS,
  type OrganizationKind,
  type ProjectField,
} from '@hub/common';
import { creationKeyColumns, ledgerEntryColumns, oneOf, provenanceCheck, provenanceColumns } from '@hub/db';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const ENTRY_LIMIT = sql.raw(String(MAX_ENTRY_FEN));
const TOTAL_LIMIT = sql.raw(String(MAX_PROJECT_TOTAL_FEN));

export const shaanxi = pgSchema('shaanxi');


export const prefectures = shaanxi.table(
  'prefecture',
  {
    code: text('code').primaryKey(),
    nameZh: text('name_zh').notNull(),
    namePinyin: text('name_pinyin').notNull(),
    /** Part of the Shaan-Gan-Ning revolutionary old area; null where the record is silent. */
    revolutionaryOldArea: boolean('revolutionary_old_area'),
    ...provenanceColumns(),
  },
  (t) => [
    check('prefecture_code_format', sql`${t.code} ~ '^61[0-9]{2}00$'`),
    provenanceCheck('prefecture_provenance_kind'),
  ],
);

export const counties = shaanxi.table(
  'county',
  {
    code: text('code').primaryKey(),
    nameZh: text('name_zh').notNull(),
    /** Null where no source gives it: the division codes package has Chinese names only. */
    namePinyin: text('name_pinyin'),
    prefectureCode: text('prefecture_code')
      .notNull()
      .references(() => prefectures.code),
    /** True for the 56 poverty counties of the public record; null where the record is silent. */
    povertyCounty: boolean('poverty_county'),
    exitedPovertyYear: integer('exited_poverty_year'),
    /** One of Shaanxi's 11 deep-poverty counties; null where the record is silent. */
    deepPoverty: boolean('deep_poverty'),
    /** A revolutionary old area county; null where the record is silent. */
    revolutionaryOldArea: boolean('revolutionary_old_area'),
    notes: text('notes'),
    /**
     * The division's GB/T 2260 code today, where it is no longer `code`: the public record and
     * every reference keep the record's code, and this one answers for the same county
     * (docs/decisions/0013). Null where `code` is current.
     */
    currentCode: text('current_code'),
    ...provenanceColumns(),
  },
  (t) => [
    check('county_code_format', sql`${t.code} ~ '^61[0-9]{4}$'`),
    check('county_current_code_format', sql`${t.currentCode} ~ '^61[0-9]{4}$' and ${t.currentCode} <> ${t.code}`),
    uniqueIndex('county_current_code_unique').on(t.currentCode),
    check('county_exit_year', sql`${t.exitedPovertyYear} between 1980 and 2100`),
    provenanceCheck('county_provenance_kind'),
    index('county_prefecture_idx').on(t.prefectureCode),
  ],
);

export const organizations = shaanxi.table(
  'organization',
  {
    id: text('id').primaryKey(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en'),
    kind: text('kind').$type<OrganizationKind>().notNull(),
    /** 统一社会信用代码, 18 characters, when known. */
    unifiedSocialCreditCode: text('unified_social_credit_code'),
    homeCountyCode: text('home_county_code').references(() => counties.code),
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
    index('organization_home_county_idx').on(t.homeCountyCode),
  ],
);

/** A need raised for a Shaanxi county: the Shaanxi side of a `Project`. */
export const projectNeeds = shaanxi.table(
  'project_need',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    countyCode: text('county_code')
      .notNull()
      .references(() => counties.code),
    raisedByOrganizationId: text('raised_by_organization_id').references(() => organizations.id),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en'),
    field: text('field').$type<ProjectField>().notNull(),
    description: text('description'),
    amountSoughtFen: bigint('amount_sought_fen', { mode: 'bigint' }),
    beneficiaryCount: integer('beneficiary_count'),
    beneficiaryDescription: text('beneficiary_description'),
    /**
     * Set when the pairing publishes the need (PROPOSED → PUBLISHED); until then it is a
     * draft only the Shaanxi office sees. Kept here so that every list can filter in SQL.
     */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    /**
     * To the millisecond, as a JavaScript time and so a page's cursor keep it: a cursor of a
     * time with microseconds would fall between rows and lose those after it in that millisecond.
     */
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
    ...creationKeyColumns(),
  },
  (t) => [
    oneOf('project_need_field', 'field', PROJECT_FIELDS),
    uniqueIndex('project_need_idempotency_key_unique').on(t.idempotencyKey),
    check('project_need_amount_not_negative', sql`${t.amountSoughtFen} >= 0`),
    check('project_need_amount_within_limit', sql`${t.amountSoughtFen} <= ${TOTAL_LIMIT}`),
    check('project_need_beneficiaries_not_negative', sql`${t.beneficiaryCount} >= 0`),
    provenanceCheck('project_need_provenance_kind'),
    index('project_need_county_idx').on(t.countyCode),
    index('project_need_organization_idx').on(t.raisedByOrganizationId),
    // The Shaanxi office's list of needs, newest first, drafts included: its pages.
    index('project_need_created_idx').on(t.createdAt, t.id),
    // The public's list, published needs only: its pages, and its count from the index alone.
    index('project_need_published_idx').on(t.createdAt, t.id).where(sql`${t.publishedAt} is not null`),
  ],
);

/** The money Shaanxi records, named after IATI transaction types. */
export const FUNDS_KINDS = ['RECEIPT', 'EXPENDITURE'] as const;
export type FundsKind = (typeof FUNDS_KINDS)[number];

/**
 * What a project has received and spent in Shaanxi: running totals of its entries, updated
 * in the same transaction as each entry. Its checks are the invariants: nothing negative,
 * never more spent than received, within the project limit.
 */
export const projectAccounts = shaanxi.table(
  'project_account',
  {
    projectId: uuid('project_id')
      .primaryKey()
      .references(() => projectNeeds.id),
    receivedFen: bigint('received_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    spentFen: bigint('spent_fen', { mode: 'bigint' }).notNull().default(sql`0`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('project_account_not_negative', sql`${t.receivedFen} >= 0 and ${t.spentFen} >= 0`),
    check('project_account_spent_within_received', sql`${t.spentFen} <= ${t.receivedFen}`),
    check('project_account_within_limit', sql`${t.receivedFen} <= ${TOTAL_LIMIT} and ${t.spentFen} <= ${TOTAL_LIMIT}`),
  ],
);

/** One receipt or expenditure, as recorded; entries are never changed. */
export const fundsEntries = shaanxi.table(
  'funds_entry',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projectNeeds.id),
    kind: text('kind').$type<FundsKind>().notNull(),
    /** For receipts: the Jiangsu organization the money came from, when known. */
    fromOrganizationId: text('from_organization_id'),
    /** For expenditure: what the money was spent on. */
    purpose: text('purpose'),
    ...ledgerEntryColumns(),
  },
  (t) => [
    uniqueIndex('funds_entry_idempotency_key_unique').on(t.idempotencyKey),
    oneOf('funds_entry_kind', 'kind', FUNDS_KINDS),
    oneOf('funds_entry_currency', 'currency', ['CNY']),
    check('funds_entry_amount_positive', sql`${t.amountFen} > 0`),
    check('funds_entry_amount_within_limit', sql`${t.amountFen} <= ${ENTRY_LIMIT}`),
    check('funds_entry_expenditure_has_purpose', sql`${t.kind} <> 'EXPENDITURE' or ${t.purpose} is not null`),
    provenanceCheck('funds_entry_provenance_kind'),
    index('funds_entry_project_idx').on(t.projectId, t.recordedAt),
  ],
);

/** Seed sets applied to this schema, so each loads once. */
export const seedLog = shaanxi.table('seed_log', {
  name: text('name').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});
export type { OrganizationKind, ProjectField } from '@hub/common';
