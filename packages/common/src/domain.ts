/** What an organization is; the same list in both provinces. */
export const ORGANIZATION_KINDS = [
  'GOVERNMENT_OFFICE',
  'ASSOCIATION',
  'FOUNDATION',
  'SOCIAL_SERVICE_INSTITUTION',
  'VOLUNTEER_GROUP',
  'OTHER',
] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** The fields of work a project can be in. */
export const PROJECT_FIELDS = [
  'LIVELIHOOD',
  'INDUSTRY',
  'TECHNOLOGY_AND_CULTURE',
  'TALENT',
  'EDUCATION',
  'MEDICAL_AID',
  'INFRASTRUCTURE',
  'CHILD_WELFARE',
  'DISABILITY',
  'OTHER',
] as const;
export type ProjectField = (typeof PROJECT_FIELDS)[number];

/** The stages of a project, from a county's need to an evaluated result (DESIGN.md). */
export const PROJECT_STAGES = [
  'PROPOSED',
  'PUBLISHED',
  'MATCHED',
  'SCHEDULED',
  'SIGNED',
  'IMPLEMENTING',
  'COMPLETED',
  'EVALUATED',
  'SUSPENDED',
  'CANCELLED',
] as const;
export type ProjectStage = (typeof PROJECT_STAGES)[number];

/**
 * The stages at which a project is open for funding: a candidate for matches and a project a
 * foundation may express interest in (docs/decisions/0026-matching.md).
 */
export const OPEN_FOR_FUNDING_STAGES = ['PUBLISHED', 'MATCHED'] as const satisfies readonly ProjectStage[];

/**
 * The most lines a ceremony package holds: every line becomes a commitment the Jiangsu books
 * record in one transaction when the package is signed, and the package prints as one document.
 */
export const MAX_PACKAGE_LINES = 500;
