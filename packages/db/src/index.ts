export { openDatabase, queryRows, textArray, type Database, type Db, type DatabaseOptions } from './database.ts';
export { StatementCounter } from './statement-counter.ts';
export { uniqueViolation, checkViolation, unlessDuplicate } from './pg-errors.ts';
export { provenanceColumns, provenanceCheck, oneOf, ledgerEntryColumns } from './columns.ts';
export { updateVersioned, organizationWrites, type VersionedUpdate, type OrganizationWrite } from './versioned.ts';
export { recordOnce, type RecordOnce } from './ledger.ts';
