export { openTestDatabase } from './database.ts';
export { startTestHub, type TestHub, type GraphQLResult, type Topology } from './hub.ts';
