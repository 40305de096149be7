import type { ApolloServerPlugin } from '@apollo/server';
import { CALLER_CODES, type HubLogger } from '@hub/server';
import type { GraphQLFormattedError } from 'graphql';

interface RequestContext {
  requestId: string;
}

/** Where the gateway logs an error it masks or a subgraph it could not reach: one entry each. */
export interface ErrorLog {
  error(entry: { message: string } & Record<string, unknown>): void;
}

/** An ErrorLog writing through the hub's logger: the entry's message as the line's message. */
export function errorLogOf(logger: HubLogger): ErrorLog {
  return { error: ({ message, ...fields }) => logger.error(fields, message) };
}

/**
 * Masks every error that is not a caller's mistake or an expected domain outcome: the
 * caller sees "Internal server error" and the request id; the log line with the same id
 * keeps the real message for the operators (the subgraph that failed logs its stack under
 * the same id). The HTTP layer gives every response `x-request-id`.
 */
export function errorMaskingPlugin(log: ErrorLog): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, request }) {
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
