import { sql } from 'drizzle-orm';
import { PROJECT_FIELDS, PROJECT_STAGES, type ProjectField, type ProjectStage } from '@hub/common';
import { oneOf, provenanceCheck, provenanceColumns } from '@hub/db';
import {
  bigint,
  check,
  date,
  foreignKey,
  index,
  integer,
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
    ...provenanceColumns(),
  },
  (t) => [
    check('ceremony_city_code_format', sql`${t.cityCode} ~ '^[1-9][0-9]{5}$'`),
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
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    ...provenanceColumns(),
  },
  (t) => [
    oneOf('project_pipeline_stage', 'stage', STAGES),
    oneOf('project_pipeline_field', 'field', PROJECT_FIELDS),
    check('project_pipeline_version_positive', sql`${t.version} >= 1`),
    provenanceCheck('project_pipeline_provenance_kind'),
    index('project_pipeline_stage_idx').on(t.stage),
    index('project_pipeline_county_idx').on(t.countyCode),
    index('project_pipeline_prefecture_idx').on(t.prefectureCode),
    index('project_pipeline_entered_idx').on(t.enteredAt, t.projectId),
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

