import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

export type HealthCheck = () => Promise<Record<string, unknown>>;

/** Thrown while preparing a request to answer it at once with a status and a stable code. */
export class HttpRejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What the HTTP layer knows of a request before GraphQL sees it. */
export interface IncomingRequestInfo {
  request: IncomingMessage;
  headers: HeaderMap;
  /** The parsed JSON body of a POST, or undefined. */
  body: unknown;
  /** The remote address, for rate limiting and logs. */
  address: string;
}

export interface HttpService {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ServeOptions<TContext extends BaseContext> {
  port: number;
  host?: string;
  /** Largest request body accepted, in bytes; larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Builds the request's context before execution: authentication, rate limits, document
   * checks. Throwing an HttpRejection answers the request with it.
   */
  context: (info: IncomingRequestInfo) => Promise<TContext>;
  /** Answers GET /health: 200 with its result, or 503 when it throws. */
  health: HealthCheck;
  /** Longest a request may run before it is answered with 503 TIMEOUT. */
  timeoutMs?: number;
}

/**
 * Serves an Apollo Server on Node's own HTTP server: POST and GET /graphql, GET /health.
 * Body parsing is done here so that a broken or oversized body gets a clear 4xx.
 */
export async function serveHttp<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
): Promise<HttpService> {
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const httpServer = createServer((request, response) => {
    handle(server, options, maxBodyBytes, request, response).catch((error: unknown) => {
      if (error instanceof HttpRejection) {
        if (!response.headersSent) reject(response, error);
        else response.end();
        return;
      }
      console.error('request failed outside GraphQL execution', error);
      if (!response.headersSent) sendJson(response, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error.'));
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}

async function handle<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
  maxBodyBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/health' && (request.method === 'GET' || request.method === 'HEAD')) {
    try {
      sendJson(response, 200, { status: 'ok', ...(await options.health()) });
    } catch (error) {
      sendJson(response, 503, { status: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  if (url.pathname !== '/graphql' && url.pathname !== '/') {
    sendJson(response, 404, errorBody('NOT_FOUND', `No route ${url.pathname}; GraphQL is served at /graphql.`));
    return;
  }

  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }

  let body: unknown;
  if (request.method === 'POST') {
    const raw = await readBody(request, maxBodyBytes);
    if (raw === null) {
      sendJson(response, 413, errorBody('PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes.`));
      return;
    }
    if ((headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      try {
        body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        sendJson(response, 400, errorBody('BAD_REQUEST', 'Request body is not valid JSON.'));
        return;
      }
    } else {
      body = raw.toString('utf8');
    }
  }

  const contextValue = await options.context({ request, headers, body, address: request.socket.remoteAddress ?? '' });
  const execution = server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
    context: async () => contextValue,
  });
  const result = await withTimeout(execution, options.timeoutMs ?? 30_000);
  response.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) response.setHeader(name, value);
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rejectTimeout) => {
    timer = setTimeout(
      () => rejectTimeout(new HttpRejection(503, 'TIMEOUT', `The request took longer than ${timeoutMs} ms.`, { 'retry-after': '1' })),
      timeoutMs,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function reject(response: ServerResponse, rejection: HttpRejection): void {
  for (const [name, value] of Object.entries(rejection.headers)) response.setHeader(name, value);
  sendJson(response, rejection.status, {
    errors: [{ message: rejection.message, extensions: { code: rejection.code, ...rejection.extensions } }],
  });
}

/** Reads the whole body, or returns null as soon as it grows past the limit. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      request.resume();
      return null;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function errorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(payload));
}
