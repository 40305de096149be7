export {
  serveHttp,
  listenHttp,
  HttpRejection,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type HttpService,
  type HttpListener,
  type HealthCheck,
  type HealthReport,
  type IncomingRequestInfo,
  type ServeOptions,
  type ListenOptions,
  type HttpRoute,
  type RouteRequest,
  type HttpAnswer,
} from './http.ts';
export { TIMEOUT_HEADER, deadlinePlugin, timeoutAsCode } from './deadline.ts';
export { asksFor, referenceResolver } from './selection.ts';
export { ConcurrencyLimit, NoTurnError, type Concurrency, type NoTurn, type Turn } from './concurrency-limit.ts';
export { databaseAnswers, exitAfterLog, startupFailureMessage, stopOnSignals } from './lifecycle.ts';
export { startSubgraph, prepareSubgraphDatabase, type SubgraphModule, type RunningSubgraph, type SeedOptions } from './subgraph.ts';
export { DEFAULT_SIGNING_RETRY_MS, type BackgroundSettings, type BackgroundTask } from './background.ts';
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
export {
  IDENTITY_HEADER,
  TOKEN_LIFETIME_SECONDS,
  CLOCK_SKEW_SECONDS,
  IdentityVerifier,
  bodyHash,
  signIdentity,
  type IdentityCheck,
  type IdentityRefusal,
} from './trust.ts';
export { unwrapUpdate, duplicateUscc } from './results.ts';
export { PeerDirectory, PeerUnavailableError, inProcessTransport, httpTransport, isMutationDocument, type Peers, type PeerTransport } from './peers.ts';
export { projectStage } from './stage-lookup.ts';
export { projectProvenance, projectRecords, jiangsuOrganizationProvenance, requireMatchingProvenance } from './provenance-match.ts';
export { recordMoney, type MoneyKind, type MoneyRequest, type LedgerBook, type LedgerOutcome, type CheckedEntry } from './ledger-service.ts';
export { logLine } from './log-line.ts';
export { EXPLORER_ASSETS_PATH, EXPLORER_CONTENT_SECURITY_POLICY, prefersHtml, type ExplorerOptions } from './explorer.ts';
export { CONSOLE_ASSETS_PATH, isConsolePath, type ConsoleOptions } from './console.ts';
export { PAGE_CONTENT_SECURITY_POLICY } from './bundled-page.ts';
export { HubMetrics, metricsAccessFrom, metricsRefusal, type MetricsAccess } from './metrics.ts';
export { createLogger, logLevelFrom, processLog, requestIdFrom, makeProcessLog, LOG_LEVELS, REQUEST_ID_HEADER, type HubLogger, type LogLevel } from './logger.ts';
export { requestLogPlugin, CALLER_CODES } from './request-log.ts';
export { startTracing, tracer, currentTraceId, injectTrace } from './tracing.ts';
