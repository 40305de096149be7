export { serveHttp, HttpRejection, type HttpService, type HealthCheck, type IncomingRequestInfo } from './http.ts';
export { startSubgraph, type SubgraphModule, type RunningSubgraph } from './subgraph.ts';
export {
  ConfigError,
  EnvReader,
  DEVELOPMENT_SECRETS,
  databaseConfigFor,
  internalSecretFrom,
  isProduction,
  subgraphUrlFrom,
  SUBGRAPH_PORTS,
  SUBGRAPH_NAMES,
  type SubgraphName,
  type DatabaseConfig,
} from './environment.ts';
export { serveSubgraph, serveRunningSubgraph, runSubgraphMain } from './service.ts';
export { IDENTITY_HEADER, SIGNATURE_HEADER, signIdentity, verifyIdentity } from './trust.ts';
export { unwrapUpdate, duplicateUscc } from './results.ts';
export { PeerDirectory, PeerUnavailableError, inProcessTransport, httpTransport, type Peers, type PeerTransport } from './peers.ts';
export { projectStage, requireFundableStage } from './stage-lookup.ts';
