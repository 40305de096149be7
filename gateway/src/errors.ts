import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@hub/common';
import type { GraphQLFormattedError } from 'graphql';

/**
 * Codes whose messages are written for the caller and may be shown as they are: the hub's
 * own domain codes and Apollo Server's request errors.
 */
const CALLER_CODES = new Set<string>([
  ...Object.values(ErrorCode).filter((code) => code !== ErrorCode.Internal),
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

interface RequestContext {
  requestId: string;
}

export interface ErrorLog {
  error(entry: Record<string, unknown>): void;
}

export const jsonLinesLog: ErrorLog = {
  error: (entry) => process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), ...entry })}\n`),
};

/**
 * Masks every error that is not a caller's mistake or an expected domain outcome: the
 * caller sees "Internal server error" and the request id; the log line with the same id
 * keeps the real message (SQL text, stack) for the operators. Every response carries
 * `x-request-id`.
 */
export function errorMaskingPlugin(log: ErrorLog = jsonLinesLog): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, request }) {
          response.http.headers.set('x-request-id', contextValue.requestId);
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) =>
            mask(error, contextValue.requestId, request.operationName ?? null, log),
          );
        },
      };
    },
  };
}

function mask(error: GraphQLFormattedError, requestId: string, operationName: string | null, log: ErrorLog): GraphQLFormattedError {
  const code = error.extensions?.code;
  if (typeof code === 'string' && CALLER_CODES.has(code)) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = error.extensions ?? {};
    return { ...error, extensions };
  }
  log.error({
    requestId,
    operationName,
    code: code ?? null,
    message: error.message,
    path: error.path ?? null,
    serviceName: error.extensions?.serviceName ?? null,
  });
  return {
    message: `Internal server error (request ${requestId}).`,
    ...(error.path ? { path: error.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
  };
}
