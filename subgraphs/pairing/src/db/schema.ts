import { sql } from 'drizzle-orm';
import { PROJECT_FIELDS, PROJECT_STAGES, type ProjectField, type ProjectStage } from '@hub/common';
import { creationKeyColumns, oneOf, provenanceCheck, provenanceColumns } from '@hub/db';
import {
  bigint,
  boolean,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const pairing = pgSchema('pairing');

export const PROVINCES = ['SHAANXI', 'JIANGSU'] as const;
export type Province = (typeof PROVINCES)[number];

/**
 * A joint agreement. Organizations are owned by the province subgraphs; the pairing keeps
 * their ids and provinces only, and the graph resolves them.
 */
export const agreements = pairing.table(
  'agreement',
  {
    id: text('id').primaryKey(),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en'),
    jiangsuPartyId: text('jiangsu_party_id').notNull(),
    shaanxiPartyId: text('shaanxi_party_id').notNull(),
    coordinatorId: text('coordinator_id'),
    termYears: integer('term_years').notNull(),
    signedOn: date('signed_on', { mode: 'string' }),
    plannedProjectCount: integer('planned_project_count'),
    plannedFields: text('planned_fields').array().$type<ProjectField[]>().notNull().default(sql`'{}'`),
    ...provenanceColumns(),
  },
  (t) => [
    check('agreement_term_positive', sql`${t.termYears} > 0`),
    check('agreement_planned_not_negative', sql`${t.plannedProjectCount} >= 0`),
    check(
      'agreement_planned_fields',
      sql.raw(`planned_fields <@ array[${PROJECT_FIELDS.map((f) => `'${f}'`).join(', ')}]::text[]`),
    ),
    provenanceCheck('agreement_provenance_kind'),
  ],
);

export const agreementFocuses = pairing.table(
  'agreement_focus',
  {
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    position: integer('position').notNull(),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agreementId, t.position] }), check('agreement_focus_position', sql`${t.position} > 0`)],
);

export const LINE_BY_LINE = ['NOT_IN_PUBLIC_RECORD', 'IN_PACKAGE'] as const;
export type LineByLine = (typeof LINE_BY_LINE)[number];

export const ceremonies = pairing.table(
  'ceremony',
  {
    id: text('id').primaryKey(),
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    titleZh: text('title_zh').notNull(),
    titleEn: text('title_en'),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    cityCode: text('city_code').notNull(),
    cityNameZh: text('city_name_zh').notNull(),
    venue: text('venue'),
    declaredProjectCount: integer('declared_project_count').notNull(),
    declaredTotalFen: bigint('declared_total_fen', { mode: 'bigint' }).notNull(),
    /** NOT_IN_PUBLIC_RECORD: known by declared figures only; IN_PACKAGE: its package lists its projects. */
    lineByLine: text('line_by_line').$type<LineByLine>().notNull().default('IN_PACKAGE'),
    scheduledByRole: text('scheduled_by_role'),
    scheduledBySubject: text('scheduled_by_subject'),
    ...creationKeyColumns(),
    ...provenanceColumns(),
  },
  (t) => [
    check('ceremony_city_code_format', sql`${t.cityCode} ~ '^[1-9][0-9]{5}$'`),
    oneOf('ceremony_line_by_line', 'line_by_line', LINE_BY_LINE),
    uniqueIndex('ceremony_idempotency_key_unique').on(t.idempotencyKey),
    check('ceremony_declared_count_not_negative', sql`${t.declaredProjectCount} >= 0`),
    check('ceremony_declared_total_not_negative', sql`${t.declaredTotalFen} >= 0`),
    provenanceCheck('ceremony_provenance_kind'),
    index('ceremony_agreement_idx').on(t.agreementId),
  ],
);

export const CEREMONY_ROLES = ['HOST', 'SIGNATORY'] as const;
export type CeremonyRole = (typeof CEREMONY_ROLES)[number];

/** Organizations that hosted or signed at a ceremony. */
export const ceremonyOrganizations = pairing.table(
  'ceremony_organization',
  {
    ceremonyId: text('ceremony_id')
      .notNull()
      .references(() => ceremonies.id),
    organizationId: text('organization_id').notNull(),
    province: text('province').$type<Province>().notNull(),
    role: text('role').$type<CeremonyRole>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ceremonyId, t.organizationId, t.role] }),
    oneOf('ceremony_organization_province', 'province', PROVINCES),
    oneOf('ceremony_organization_role', 'role', CEREMONY_ROLES),
    index('ceremony_organization_organization_idx').on(t.organizationId),
  ],
);

/** Shaanxi counties that signed at a ceremony. */
export const ceremonyCounties = pairing.table(
  'ceremony_county',
  {
    ceremonyId: text('ceremony_id')
      .notNull()
      .references(() => ceremonies.id),
    countyCode: text('county_code').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ceremonyId, t.countyCode] }),
    check('ceremony_county_code_format', sql`${t.countyCode} ~ '^61[0-9]{4}$'`),
    index('ceremony_county_county_idx').on(t.countyCode),
  ],
);

/** The projects of a ceremony's batch; a project is signed in at most one batch. */
export const ceremonyProjects = pairing.table(
  'ceremony_project',
  {
    projectId: uuid('project_id').primaryKey(),
    ceremonyId: text('ceremony_id').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ columns: [t.ceremonyId], foreignColumns: [ceremonies.id] }),
    index('ceremony_project_ceremony_idx').on(t.ceremonyId),
  ],
);

/** The stages, shared with the demo plan; the pipeline owns them. */
export const STAGES = PROJECT_STAGES;
export type Stage = ProjectStage;

/**
 * A project's place in the pipeline, kept in step with its last stage event in the same
 * transaction. The county, prefecture, field and raising organization are a copy of the
 * Shaanxi need, refreshed at every transition, so the pipeline can be filtered here.
 */
export const projectPipelines = pairing.table(
  'project_pipeline',
  {
    projectId: uuid('project_id').primaryKey(),
    stage: text('stage').$type<Stage>().notNull(),
    version: integer('version').notNull(),
    countyCode: text('county_code').notNull(),
    prefectureCode: text('prefecture_code').notNull(),
    field: text('field').$type<ProjectField>().notNull(),
    raisedByOrganizationId: text('raised_by_organization_id'),
    matchedOrganizationId: text('matched_organization_id'),
    /** The position of the agreement focus the project serves, named when it is scheduled. */
    focusPosition: integer('focus_position'),
    /**
     * The package being signed that holds the project: while set, only that signing moves it
     * (docs/decisions/0023-signing-a-package.md).
     */
    signingPackageId: uuid('signing_package_id'),
    /**
     * Whether the project has ever been published: a need is public from then on, whatever
     * stage it is at. Kept by the database alone, from the stage events (a trigger on
     * `stage_event` sets it when a PUBLISHED event is written; events are never changed), so
     * that every public list filters on the row instead of searching the events.
     */
    everPublished: boolean('ever_published').notNull().default(false),
    /** To the millisecond, as a page's cursor keeps it (see shaanxi's `project_need.created_at`). */
    enteredAt: timestamp('entered_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
  },
  (t) => [
    oneOf('project_pipeline_stage', 'stage', STAGES),
    oneOf('project_pipeline_field', 'field', PROJECT_FIELDS),
    check('project_pipeline_version_positive', sql`${t.version} >= 1`),
    check('project_pipeline_focus_positive', sql`${t.focusPosition} > 0`),
    provenanceCheck('project_pipeline_provenance_kind'),
    index('project_pipeline_stage_idx').on(t.stage),
    index('project_pipeline_county_idx').on(t.countyCode),
    index('project_pipeline_prefecture_idx').on(t.prefectureCode),
    index('project_pipeline_entered_idx').on(t.enteredAt, t.projectId),
    // The public's pipeline, newest first: its pages, and its count from the index alone.
    index('project_pipeline_published_idx').on(t.enteredAt, t.projectId).where(sql`${t.everPublished}`),
  ],
);

/** One change of a project's stage: who, when, from, to, why. Never updated or deleted. */
export const stageEvents = pairing.table(
  'stage_event',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projectPipelines.projectId),
    /** The pipeline version this event produced: 1 for the first, then one more each. */
    sequence: integer('sequence').notNull(),
    fromStage: text('from_stage').$type<Stage>().notNull(),
    toStage: text('to_stage').$type<Stage>().notNull(),
    actorRole: text('actor_role').notNull(),
    actorSubject: text('actor_subject'),
    note: text('note'),
    organizationId: text('organization_id'),
    ceremonyId: text('ceremony_id').references(() => ceremonies.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
  },
  (t) => [
    uniqueIndex('stage_event_sequence_unique').on(t.projectId, t.sequence),
    oneOf('stage_event_from_stage', 'from_stage', STAGES),
    oneOf('stage_event_to_stage', 'to_stage', STAGES),
    check('stage_event_sequence_positive', sql`${t.sequence} >= 1`),
    provenanceCheck('stage_event_provenance_kind'),
  ],
);

/** Seed sets applied to this schema, so each loads once. */
export const seedLog = pairing.table('seed_log', {
  name: text('name').primaryKey(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});


/**
 * An agreement's targets for one calendar year of its term, or for the whole term (year null).
 * Versioned; every version is also kept in agreement_target_revision.
 */
export const agreementTargets = pairing.table(
  'agreement_target',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    year: integer('year'),
    projectsSigned: integer('projects_signed'),
    committedFen: bigint('committed_fen', { mode: 'bigint' }),
    disbursedFen: bigint('disbursed_fen', { mode: 'bigint' }),
    countiesReached: integer('counties_reached'),
    shaanxiOrganizations: integer('shaanxi_organizations'),
    jiangsuOrganizations: integer('jiangsu_organizations'),
    note: text('note'),
    version: integer('version').notNull(),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
    setByRole: text('set_by_role').notNull(),
    setBySubject: text('set_by_subject'),
    ...provenanceColumns(),
  },
  (t) => [
    uniqueIndex('agreement_target_period_unique').on(t.agreementId, sql`coalesce(${t.year}, 0)`),
    check('agreement_target_year', sql`${t.year} between 1990 and 2100`),
    check('agreement_target_version_positive', sql`${t.version} >= 1`),
    check(
      'agreement_target_not_negative',
      sql`${t.projectsSigned} >= 0 and ${t.committedFen} >= 0 and ${t.disbursedFen} >= 0 and ${t.countiesReached} >= 0 and ${t.shaanxiOrganizations} >= 0 and ${t.jiangsuOrganizations} >= 0`,
    ),
    check('agreement_target_money_limit', sql`${t.committedFen} <= 100000000000 and ${t.disbursedFen} <= 100000000000`),
    provenanceCheck('agreement_target_provenance_kind'),
  ],
);

/** Every version of an agreement's targets, as set. Never updated or deleted. */
export const agreementTargetRevisions = pairing.table(
  'agreement_target_revision',
  {
    targetId: uuid('target_id')
      .notNull()
      .references(() => agreementTargets.id),
    version: integer('version').notNull(),
    projectsSigned: integer('projects_signed'),
    committedFen: bigint('committed_fen', { mode: 'bigint' }),
    disbursedFen: bigint('disbursed_fen', { mode: 'bigint' }),
    countiesReached: integer('counties_reached'),
    shaanxiOrganizations: integer('shaanxi_organizations'),
    jiangsuOrganizations: integer('jiangsu_organizations'),
    note: text('note'),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow(),
    setByRole: text('set_by_role').notNull(),
    setBySubject: text('set_by_subject'),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.version] })],
);

/**
 * A Jiangsu organization allowed to sign with a county (or every county of a prefecture) its
 * city is not paired with, and why.
 */
export const pairingExceptions = pairing.table(
  'pairing_exception',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    agreementId: text('agreement_id')
      .notNull()
      .references(() => agreements.id),
    organizationId: text('organization_id').notNull(),
    countyCode: text('county_code'),
    prefectureCode: text('prefecture_code'),
    reason: text('reason').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedByRole: text('recorded_by_role').notNull(),
    recordedBySubject: text('recorded_by_subject'),
    ...provenanceColumns(),
  },
  (t) => [
    check('pairing_exception_one_place', sql`(${t.countyCode} is null) <> (${t.prefectureCode} is null)`),
    check('pairing_exception_county_code', sql`${t.countyCode} ~ '^61[0-9]{4}$'`),
    check('pairing_exception_prefecture_code', sql`${t.prefectureCode} ~ '^61[0-9]{2}00$'`),
    provenanceCheck('pairing_exception_provenance_kind'),
    index('pairing_exception_agreement_idx').on(t.agreementId, t.organizationId),
  ],
);

export const PACKAGE_STATUSES = ['DRAFT', 'FINAL', 'SIGNING', 'SIGNED', 'SUPERSEDED'] as const;
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

/** One version of a ceremony's package. A version past DRAFT never changes its lines. */
export const ceremonyPackages = pairing.table(
  'ceremony_package',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ceremonyId: text('ceremony_id')
      .notNull()
      .references(() => ceremonies.id),
    version: integer('version').notNull(),
    status: text('status').$type<PackageStatus>().notNull(),
    statedTotalFen: bigint('stated_total_fen', { mode: 'bigint' }).notNull(),
    /** The check results it passed when finalized; null for a draft (its checks are run when read). */
    checks: jsonb('checks'),
    contentHash: text('content_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdByRole: text('created_by_role').notNull(),
    createdBySubject: text('created_by_subject'),
    finalizedAt: timestamp('finalized_at', { withTimezone: true }),
    finalizedByRole: text('finalized_by_role'),
    finalizedBySubject: text('finalized_by_subject'),
    signedAt: timestamp('signed_at', { withTimezone: true }),
    ...provenanceColumns(),
  },
  (t) => [
    uniqueIndex('ceremony_package_version_unique').on(t.ceremonyId, t.version),
    oneOf('ceremony_package_status', 'status', PACKAGE_STATUSES),
    check('ceremony_package_version_positive', sql`${t.version} >= 1`),
    check('ceremony_package_total_not_negative', sql`${t.statedTotalFen} >= 0`),
    check('ceremony_package_frozen_has_hash', sql`${t.status} = 'DRAFT' or ${t.contentHash} is not null`),
    provenanceCheck('ceremony_package_provenance_kind'),
  ],
);

/** One line of a package. */
export const ceremonyPackageLines = pairing.table(
  'ceremony_package_line',
  {
    packageId: uuid('package_id')
      .notNull()
      .references(() => ceremonyPackages.id),
    position: integer('position').notNull(),
    projectId: uuid('project_id').notNull(),
    countyCode: text('county_code').notNull(),
    shaanxiSignatoryId: text('shaanxi_signatory_id').notNull(),
    jiangsuOrganizationId: text('jiangsu_organization_id').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.packageId, t.position] }),
    check('ceremony_package_line_position', sql`${t.position} >= 1`),
    check('ceremony_package_line_amount_limit', sql`${t.amountFen} <= 100000000000`),
    index('ceremony_package_line_project_idx').on(t.projectId),
  ],
);

/**
 * The projects held by a ceremony's standing package (final, signing or signed): a project is
 * held by one package at most, so no project is in two packages even when two are finalized
 * at once.
 */
export const packageProjectClaims = pairing.table(
  'package_project_claim',
  {
    projectId: uuid('project_id').primaryKey(),
    packageId: uuid('package_id')
      .notNull()
      .references(() => ceremonyPackages.id),
    ceremonyId: text('ceremony_id')
      .notNull()
      .references(() => ceremonies.id),
  },
  (t) => [index('package_project_claim_package_idx').on(t.packageId)],
);

/**
 * A package's signing, written in the same transaction that decides it: the outbox its steps
 * are retried from until the package is SIGNED (docs/decisions/0023-signing-a-package.md).
 */
export const packageSignings = pairing.table('package_signing', {
  packageId: uuid('package_id')
    .primaryKey()
    .references(() => ceremonyPackages.id),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  startedByRole: text('started_by_role').notNull(),
  startedBySubject: text('started_by_subject'),
  commitmentsRecordedAt: timestamp('commitments_recorded_at', { withTimezone: true }),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  /** A worker's claim on the next step, so two processes do not run one step at once. */
  claimedUntil: timestamp('claimed_until', { withTimezone: true }),
});
