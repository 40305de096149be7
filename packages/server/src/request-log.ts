import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ErrorCode } from '@hub/common';
import { currentDeadline, isDeadlineExceeded } from '@hub/db';
import type { HubLogger } from './logger.ts';

/**
 * Codes whose messages are written for the caller and may be shown as they are: the hub's
 * own domain codes and Apollo Server's request errors. Any other error is the hub's own
 * fault: logged with its stack where it happens, and masked for the caller at the gateway.
 */
export const CALLER_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.Internal),
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Notes the operation's name and its errors' codes for the request's log line (written by the
 * HTTP layer once the answer is sent), and — where `logInternalErrors` — logs each error that is
 * not the caller's with its stack, the request id and the operation, where it happened: in the
 * subgraph, whose stack the gateway never sees. Work stopped at the request's time limit is no
 * fault: the caller is answered TIMEOUT and the request's line says so, where a line for each
 * field it stopped would be thousands for one late list of entities, written while the hub is
 * busiest.
 */
export function requestLogPlugin(logger: HubLogger, { logInternalErrors }: { logInternalErrors: boolean }): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operationName }) {
          const log = currentDeadline()?.log;
          // The first to resolve names it: in one process the gateway does, before its subgraphs' fetches.
          if (log && operationName && log.operationName === undefined) log.operationName = operationName;
        },
        async didEncounterErrors({ errors, operationName }) {
          if (!logInternalErrors) return;
          for (const error of errors) {
            const code = error.extensions?.['code'];
            if ((typeof code === 'string' && CALLER_CODES.has(code)) || isDeadlineExceeded(error)) continue;
            const log = currentDeadline()?.log;
            logger.error(
              { requestId: log?.requestId, traceId: log?.traceId, operationName: operationName ?? null, path: error.path ?? null, err: error.originalError ?? error },
              error.message,
            );
          }
        },
        async willSendResponse({ response }) {
          const log = currentDeadline()?.log;
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (!log || !errors?.length) return;
          const codes = errors.map((error) => error.extensions?.['code']).filter((code): code is string => typeof code === 'string');
          log.errorCodes = [...new Set([...(log.errorCodes ?? []), ...codes])];
        },
      };
    },
  };
}
