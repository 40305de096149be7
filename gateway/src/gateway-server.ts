import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { deadlinePlugin, requestLogPlugin, type HubLogger, type HubMetrics } from '@hub/server';
import type { RequestLimits } from './config.ts';
import { errorLogOf, errorMaskingPlugin } from './errors.ts';
import type { GatewayContext } from './gateway-context.ts';
import { plannableIntrospectionRule } from './introspection.ts';
import { costLimitPlugin, demandControlOf, operationKindPlugin, operationLimitRules } from './limits.ts';
import { stringifyResult, type ResponseCache } from './response-cache.ts';
import { validateScalarsAtGateway } from './scalars.ts';
import { reportingUnreachable } from './subgraph-outage.ts';
import { SUPERGRAPH_FILE } from './subgraphs.ts';

/**
 * Whether the gateway checks the supergraph at `path` as a whole schema before planning on it:
 * not the committed one, which is the composition of the subgraphs' schemas (`npm run
 * compose:check`, and a test), and which the check took about 150 ms of each start to pass.
 * Unchecked, Apollo Gateway still validates the schema it serves (the supergraph less its
 * federation directives and what is `@inaccessible`). Apollo Gateway's own default checks
 * outside production only; a supergraph given by SUPERGRAPH_PATH is checked in production too.
 */
export function checksSupergraph(path: string): boolean {
  return path !== SUPERGRAPH_FILE;
}

/** The gateway's Apollo Server for a supergraph, with a data source per subgraph. */
export function createGatewayServer(options: {
  supergraphSdl: string;
  /** Whether Apollo Gateway checks the whole supergraph as a schema first (`checksSupergraph`). */
  validateSupergraph: boolean;
  dataSourceFor(name: string, url: string): GraphQLDataSource;
  production: boolean;
  limits: RequestLimits;
  /** Answers queries again while the data is unchanged; none: every query is executed. */
  responseCache?: ResponseCache | undefined;
  /** Observes each operation, by name and outcome. */
  metrics?: HubMetrics | undefined;
  /** The gateway's logger: masked errors, unreachable subgraphs, and each request's operation for its log line. */
  logger: HubLogger;
}): ApolloServer<GatewayContext> {
  const errorLog = errorLogOf(options.logger);
  // Apollo Gateway otherwise probes cloud metadata endpoints and exports usage metrics to
  // Apollo; the hub sends nothing anywhere unless its operator asks for it.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    validateSupergraph: options.validateSupergraph,
    buildService: ({ name, url }) => reportingUnreachable(name, options.dataSourceFor(name, url ?? ''), errorLog),
    logger: engineLogger(options.logger),
  });
  validateScalarsAtGateway(gateway);
  return new ApolloServer<GatewayContext>({
    gateway,
    introspection: !options.production,
    // No "did you mean" suggestions in production: they spell out the schema to a scanner.
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // The process drains on SIGTERM itself (requests in flight first); Apollo's own handler
    // would stop the server at once and send the signal again.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: options.limits.maxTokens },
    stringifyResult,
    validationRules: [...operationLimitRules(options.limits), plannableIntrospectionRule],
    plugins: [
      // Apollo's landing pages load their scripts and fonts from its CDN: browsers get the
      // hub's own explorer instead (in development), and nothing from elsewhere.
      ApolloServerPluginLandingPageDisabled(),
      // First of those that see requests: it times the whole operation, and sees its outcome whatever refused it.
      ...(options.metrics ? [options.metrics.operationsPlugin('gateway')] : []),
      operationKindPlugin(),
      deadlinePlugin(),
      costLimitPlugin(options.limits, demandControlOf(options.supergraphSdl)),
      errorMaskingPlugin(errorLog),
      requestLogPlugin(options.logger, { logInternalErrors: false }),
      // Last: an answer is looked up once every check before execution has passed.
      ...(options.responseCache ? [options.responseCache.plugin()] : []),
    ],
  });
}

/** Apollo Gateway's own warnings and errors, through the gateway's logger; its chatter left out. */
function engineLogger(logger: HubLogger) {
  return {
    debug: () => {},
    info: () => {},
    warn: (message: unknown) => logger.warn({ engine: 'apollo-gateway' }, String(message)),
    error: (message: unknown) => logger.error({ engine: 'apollo-gateway' }, String(message)),
  };
}
