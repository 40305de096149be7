export { openTestDatabase, createTestDatabaseUrl, temporaryDataRoot } from './database.ts';
export { startTestHub, type TestHub, type GraphQLResult, type Topology } from './hub.ts';
export { spawnHubProcess, REPOSITORY_ROOT, type HubProcess } from './process.ts';
export { readPdf, type PdfContent } from './pdf.ts';
export { moveThrough, tableChecksums, tablesOf, LEDGER_TABLES, type MoveOptions } from './fixtures.ts';
export { keptLinesLogger, type LogLine } from './logs.ts';
