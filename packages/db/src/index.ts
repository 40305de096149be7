export { openDatabase, queryRows, textArray, EMBEDDED_CLUSTER, type Database, type Db, type DatabaseOptions, type EmbeddedEngine, type PoolUse } from './database.ts';
export { installDataVersion, keyedTables, readingRowsBy, DataVersions, KeyVersions, DATA_VERSION_SCHEMA, type DataVersionRow, type KeyedTables } from './data-version.ts';
export { startEmbeddedPostgres, EmbeddedPostgresError, type EmbeddedPostgres } from './embedded-postgres.ts';
export { StatementCounter } from './statement-counter.ts';
export { uniqueViolation, checkViolation, unlessDuplicate } from './pg-errors.ts';
export { provenanceColumns, provenanceCheck, oneOf, ledgerEntryColumns, creationKeyColumns } from './columns.ts';
export { updateVersioned, organizationWrites, organizationKinds, type VersionedUpdate, type OrganizationWrite } from './versioned.ts';
export {
  recordOnce,
  recordAll,
  recordEntry,
  overLimit,
  unlessOverLimit,
  sumsByProjectSets,
  type RecordOnce,
  type RecordAll,
  type RecordSteps,
  type MoneyLimit,
  type OverLimit,
} from './ledger.ts';
export { wantedProjectSets, bySlot, amongUuids, amongTexts, uuidList, uuidArray } from './project-sets.ts';
export { afterCursor, newestFirstPage, type NewestFirstList } from './keyset.ts';
export { prepared, amongUuidsAt, amongTextsAt, keyList, type Prepared, type Preparable } from './prepared.ts';
export { chinaDate, chinaToday, chinaYear } from './china-time.ts';
export { seedOnce, type SeedLogTable } from './seed-once.ts';
export { createOnce, createdEarlier, type CreateOnce, type KeyedTable, type KeyedValues } from './create-once.ts';
export { lockDataDir, DataDirLockedError, LOCK_FILE, type DataDirLock } from './data-dir-lock.ts';
export { databaseLog, useDatabaseLog, type DatabaseLog } from './process-log.ts';
export {
  Deadline,
  DeadlineExceededError,
  runWithDeadline,
  currentDeadline,
  runNotingReads,
  runNotingWrites,
  currentWritesNoted,
  runReadingRows,
  currentFetchReads,
  isDeadlineExceeded,
  noReads,
  addReads,
  noteTableRead,
  noteRowsRead,
  noWrites,
  type RequestLog,
  type TablesRead,
  type RowsRead,
  type TablesWritten,
} from './deadline.ts';
