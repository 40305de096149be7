export { serveHttp, type HttpService, type HealthCheck } from './http.ts';
export { startSubgraph, type SubgraphModule, type RunningSubgraph } from './subgraph.ts';
export { ConfigError, EnvReader, databaseConfigFor, type DatabaseConfig } from './environment.ts';
export { serveSubgraph, serveRunningSubgraph, runSubgraphMain } from './service.ts';
