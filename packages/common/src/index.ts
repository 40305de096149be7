export { ErrorCode, ErrorReason, userError, notFound, versionConflict } from './errors.ts';
export { parseDivisionCode, prefectureOf, provinceOf, DivisionCodeScalar } from './division-code.ts';
export {
  moneyFromFen,
  yuanToFen,
  formatYuan,
  amountLimitExceeded,
  MoneyResolver,
  MAX_SAFE_FEN,
  MAX_ENTRY_FEN,
  MAX_PROJECT_TOTAL_FEN,
  type Money,
} from './money.ts';
export { kindOfNewRecord, provenanceOf, sourceById, type Provenance, type ProvenanceKind, type Source } from './provenance.ts';
export {
  provinceDivisions,
  isStatisticalZone,
  DIVISIONS_SOURCE_ID,
  DIVISIONS_PACKAGE_VERSION,
  type CountyLevelDivision,
  type ProvinceDivisions,
} from './divisions.ts';
export { scalarResolvers, valueTypeResolvers } from './scalars.ts';
export { loadSubgraphTypeDefs } from './typedefs.ts';
export { pageArgs, MAX_PAGE_SIZE, type PageArgs } from './paging.ts';
export { byKey, groupedByKey, groupedByKeyAndKinds, kindsCacheKey, madeOnUse, once, type KindsKey, type LoaderFactories, type MadeOnUse } from './batch.ts';
export { parseCsv, requiredField } from './csv.ts';
export {
  ORGANIZATION_KINDS,
  PROJECT_FIELDS,
  PROJECT_STAGES,
  OPEN_FOR_FUNDING_STAGES,
  type OrganizationKind,
  type ProjectField,
  type ProjectStage,
  MAX_PACKAGE_LINES,
} from './domain.ts';
export { isStorableKey, isUuid, projectIdListOf, uuidsOfList, type FunnelStageReference } from './ids.ts';
export {
  ROLES,
  PUBLIC_IDENTITY,
  serviceIdentity,
  isRole,
  requireRole,
  requireMemberOf,
  requirePairingService,
  type Role,
  type Identity,
} from './identity.ts';
export { draftAccess, seesDrafts, seesWhoActed, type DraftAccess } from './draft-access.ts';
export {
  cleanText,
  cleanOptionalText,
  checkRange,
  notNull,
  checkUnifiedSocialCreditCode,
  checkWebsite,
  type TextRule,
} from './validation.ts';
export {
  cleanOrganizationInput,
  cleanProfile,
  type OrganizationInput,
  type OrganizationProfileInput,
  type OrganizationChanges,
} from './organization-input.ts';
export { encodeTimeCursor, decodeTimeCursor, type TimeCursor } from './cursor.ts';
export {
  positiveFen,
  checkIdempotencyKey,
  HUB_KEY_PREFIX,
  creationKey,
  requestFingerprint,
  idempotencyKeyReused,
  stageRefusesMoney,
  moneyRequestBasics,
  replayOf,
  amountSoughtFen,
  amountSoughtOverLimit,
  type MoneyInput,
} from './ledger.ts';
export {
  MATCH_POINTS,
  MATCH_REASON_CODES,
  FIELD_NAMES,
  matchPart,
  maxMatchScore,
  englishCounts,
  reasonAmount,
  shortCityName,
  type MatchPart,
  type MatchReasonCode,
  type ReportingLanguage,
  type CriteriaShape,
} from './match-reasons.ts';
export {
  checkStatedCriteria,
  refuseRepeats,
  MAX_PREFERRED_PREFECTURES,
  MAX_PREFERRED_COUNTIES,
  type StatedCriteria,
  type CheckedCriteria,
  type CriteriaFieldNames,
  type GivingProfileContent,
} from './match-criteria.ts';
