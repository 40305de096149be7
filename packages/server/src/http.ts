import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { Deadline, runWithDeadline, type RequestLog } from '@hub/db';
import { TIMEOUT_HEADER, requestedTimeout } from './deadline.ts';
import { REQUEST_ID_HEADER, createLogger, requestIdFrom, type HubLogger } from './logger.ts';
import { metricsRefusal, type HubMetrics, type MetricsAccess } from './metrics.ts';
import { endServerSpan, inServerSpan } from './tracing.ts';

/**
 * What readiness found: `down` names each part that cannot serve (`database:pairing`,
 * `subgraph:jiangsu`) and never carries a driver's message or SQL; the rest is shown as it is.
 */
export interface HealthReport {
  down: string[];
  [detail: string]: unknown;
}

export type HealthCheck = () => Promise<HealthReport>;

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
  /** The body's bytes as received (empty for a GET): what a signature over the request covers. */
  rawBody: Buffer;
  /** The request's id (`x-request-id`), in every log line about it and in its answer's headers. */
  requestId: string;
}

/** A read-only resource served beside GraphQL, such as a printable document. */
export interface HttpRoute {
  /** How its requests are labelled in the metrics. */
  name: string;
  /** The path's parameters when the path is this route's, else null. */
  match(pathname: string): Record<string, string> | null;
  /**
   * Answers a GET (and a HEAD, less the body), within the request's time limit. An
   * HttpRejection thrown here is answered with its status and `{ error: { code, message } }`.
   * For a HEAD (`request.request.method`) a route may skip making the body and give null.
   */
  get(request: RouteRequest): Promise<HttpAnswer>;
}

export interface RouteRequest extends IncomingRequestInfo {
  url: URL;
  params: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /**
   * null only for a HEAD whose body was not made: then no content-length is sent. A stream is
   * sent as it is read, chunked, for a download too big to hold in memory; it is not read for a
   * HEAD, and is destroyed if the client goes away.
   */
  body: Buffer | string | Readable | null;
}

export interface HttpService {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  /**
   * Drains: readiness answers 503 `draining` and requests that arrive from now on are answered
   * 503 SHUTTING_DOWN; once the requests in flight have finished (for up to `graceMs`), the
   * listener and the idle connections are closed (and, past the grace, every one).
   */
  stop(graceMs?: number): Promise<void>;
}

/** A bound port that answers /livez at once and GraphQL once `serve` is called. */
export interface HttpListener extends HttpService {
  serve<TContext extends BaseContext>(server: ApolloServer<TContext>, options: ServeOptions<TContext>): void;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/**
 * How long the listener must have accepted nothing, with nothing in flight, before it is
 * closed. A busy process accepts about one connection per turn of its event loop, so clients
 * that connected while it worked wait in the kernel's accept queue, and closing the listener
 * resets every one of them; a quiet spell with the loop free means the queue was emptied and
 * the requests of the connections accepted were read (and answered).
 */
const LISTENER_QUIET_MS = 100;
/** `REQUEST_TIMEOUT_MS` unless set: the same for the gateway and every subgraph service. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface ServeOptions<TContext extends BaseContext> {
  /** Largest request body accepted, in bytes; larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Builds the request's context before execution: authentication, rate limits, document
   * checks. Throwing an HttpRejection answers the request with it.
   */
  context: (info: IncomingRequestInfo) => Promise<TContext>;
  /** Answers GET /readyz (and /health): 200 when nothing is down, else 503 naming what is. */
  health: HealthCheck;
  /** Longest a request may run; see `answerLateQueries`. */
  timeoutMs?: number;
  /**
   * true (the gateway): a query past its deadline is answered 503 TIMEOUT with Retry-After.
   * false (a subgraph): the GraphQL result is returned as it is, its stopped fields marked
   * TIMEOUT, for the gateway to judge. A mutation is always answered with its real outcome.
   */
  answerLateQueries?: boolean;
  /** Resources served beside GraphQL, tried before the 404. */
  routes?: HttpRoute[];
}

export interface ListenOptions {
  port: number;
  host?: string;
  /** Observes every request, and serves GET /metrics to whoever `access` lets read it. */
  metrics?: { metrics: HubMetrics; access: MetricsAccess };
  /**
   * Writes one line per request (probes and scrapes at debug level) and the errors met outside
   * GraphQL; warnings and errors to stderr unless given.
   */
  logger?: HubLogger;
}

/**
 * Serves an Apollo Server on Node's own HTTP server: POST and GET /graphql, GET /livez,
 * /readyz, /health and (with metrics) /metrics. Body parsing is done here so that a broken or oversized body gets a
 * clear 4xx.
 */
export async function serveHttp<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext> & ListenOptions,
): Promise<HttpService> {
  const listener = await listenHttp(options);
  listener.serve(server, options);
  return listener;
}

/**
 * Binds the port before anything else starts, so that a port in use stops the process before
 * it opens a database. Until `serve` is called the process is live but not ready: /livez
 * answers 200, /readyz and GraphQL 503.
 */
export async function listenHttp(options: ListenOptions): Promise<HttpListener> {
  let state: 'starting' | 'serving' | 'draining' = 'starting';
  let handler: ((request: IncomingMessage, response: ServerResponse, log: RequestLog) => Promise<void>) | undefined;
  let health: HealthCheck | undefined;
  let routes: HttpRoute[] = [];
  const inFlight = new Set<ServerResponse>();
  /** When a connection was last accepted or an answer last finished. */
  let lastActivityAt = Date.now();

  const observed = options.metrics;
  const logger = options.logger ?? createLogger({ level: 'warn' });
  /** Which part of the hub this listener serves, as its logger names it: for the spans. */
  const service = String(logger.bindings()['service'] ?? 'hub');
  const httpServer = createServer((request, response) => {
    inFlight.add(response);
    const started = performance.now();
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER] as string | undefined, randomUUID);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    // Filled by GraphQL as the request runs (the deadline carries it): its operation and error codes.
    const log: RequestLog = { requestId };
    // In a span continuing the caller's trace (traceparent), when tracing is on.
    inServerSpan(request.headers, request.method ?? 'GET', { 'http.request.method': request.method ?? 'GET', 'hub.service': service }, (span) => {
      if (span.isRecording()) log.traceId = span.spanContext().traceId;
      response.once('close', () => {
        inFlight.delete(response);
        lastActivityAt = Date.now();
        const label = routeName(request, routes);
        const seconds = (performance.now() - started) / 1000;
        observed?.metrics.observeRequest(label, response.statusCode, seconds);
        logAccess(logger, request, response, label, seconds, log);
        span.updateName(`${request.method} ${label}`);
        endServerSpan(span, response.statusCode, label);
      });
      // While draining, no connection is kept for another request.
      if (state === 'draining') {
        response.shouldKeepAlive = false;
        response.setHeader('connection', 'close');
      }
      route(request, response, log).catch((error: unknown) => {
        if (error instanceof HttpRejection) {
          log.errorCodes = [error.code];
          if (response.headersSent) response.end();
          else if (routeFor(routes, request)) rejectRouteRequest(response, error);
          else reject(response, error);
          return;
        }
        logger.error({ requestId, traceId: log.traceId, err: error }, 'request failed outside GraphQL execution');
        if (!response.headersSent) sendJson(response, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error.'));
        else response.end();
      });
    });
  });
  httpServer.on('connection', () => {
    lastActivityAt = Date.now();
  });

  async function route(request: IncomingMessage, response: ServerResponse, log: RequestLog): Promise<void> {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (pathname === '/livez') return sendJson(response, 200, { status: 'ok' });
      if (pathname === '/readyz' || pathname === '/health') return answerReadiness(response);
      if (pathname === '/metrics' && observed) return answerMetrics(request, response, observed.metrics, observed.access);
    }
    if (state === 'draining') {
      // Read to its end first: closing a connection whose request body is unread resets it,
      // and the answer would be lost with it.
      request.resume();
      if (!request.readableEnded) await new Promise((resolve) => request.once('end', resolve).once('close', resolve));
      throw new HttpRejection(
        503,
        'SHUTTING_DOWN',
        'This process is shutting down and did not start the request; nothing was changed. Send it again (to another instance).',
        { 'retry-after': '1' },
      );
    }
    if (state === 'starting' || !handler) {
      throw new HttpRejection(503, 'STARTING', 'The hub is starting; try again in a moment.', { 'retry-after': '1' });
    }
    return handler(request, response, log);
  }

  async function answerReadiness(response: ServerResponse): Promise<void> {
    if (state !== 'serving' || !health) return sendJson(response, 503, { status: state === 'draining' ? 'draining' : 'starting' });
    let report: HealthReport;
    try {
      report = await health();
    } catch (error) {
      logger.error({ err: error }, 'the readiness check failed');
      report = { down: ['readiness-check'] };
    }
    const { down, ...details } = report;
    if (down.length > 0) return sendJson(response, 503, { status: 'unavailable', down });
    sendJson(response, 200, { status: 'ok', ...details });
  }

  await new Promise<void>((resolve, rejectListen) => {
    httpServer.once('error', rejectListen);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', rejectListen);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    serve(server, serveOptions) {
      const maxBodyBytes = serveOptions.maxBodyBytes ?? 1_000_000;
      health = serveOptions.health;
      routes = serveOptions.routes ?? [];
      handler = (request, response, log) => handle(server, serveOptions, maxBodyBytes, request, response, log, logger);
      state = 'serving';
    },
    stop(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
      stopping ??= (() => {
        state = 'draining';
        // Answers still to be sent close their connection after them.
        for (const response of inFlight) {
          if (!response.headersSent) {
            response.shouldKeepAlive = false;
            response.setHeader('connection', 'close');
          }
        }
        return drain(httpServer, graceMs, logger, {
          answered: () => inFlight.size === 0,
          quiet: () => inFlight.size === 0 && Date.now() - lastActivityAt >= LISTENER_QUIET_MS,
        });
      })();
      return stopping;
    },
  };
}

/**
 * The listener stays open while requests in flight finish, so that a request sent meanwhile is
 * answered (503 SHUTTING_DOWN, safe to send elsewhere) rather than reset in the accept queue,
 * which is what closing it at once did to requests a busy process had not accepted yet.
 */
async function drain(
  httpServer: Server,
  graceMs: number,
  logger: HubLogger,
  progress: { answered: () => boolean; quiet: () => boolean },
): Promise<void> {
  let graceTimer: NodeJS.Timeout | undefined;
  let graceIsOver = false;
  const graceOver = new Promise<void>((resolve) => {
    graceTimer = setTimeout(() => {
      graceIsOver = true;
      resolve();
    }, graceMs);
  });
  const until = async (condition: () => boolean) => {
    while (!(await holdsAfterPoll(condition)) && !graceIsOver) await Promise.race([graceOver, new Promise((resolve) => setTimeout(resolve, 10))]);
  };
  try {
    await until(progress.quiet);
    if (graceIsOver && !progress.answered()) {
      logger.warn(`requests still in flight after the ${graceMs} ms shutdown grace period were cut off`);
    }
    // net.Server's close only stops accepting; the connections are closed here: the idle ones
    // now, one still being answered once its answer is sent (it says `Connection: close`).
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(httpServer, () => resolve()));
    if (graceIsOver) httpServer.closeAllConnections();
    httpServer.closeIdleConnections();
    await Promise.race([closed, graceOver]);
    httpServer.closeAllConnections();
    await closed;
  } finally {
    clearTimeout(graceTimer);
  }
}

/**
 * A condition seen true from a timer may be stale: after the loop was blocked, timers run
 * before the poll phase accepts the connections and reads the requests that queued meanwhile.
 * It counts only if it still holds once a poll phase has run (`setImmediate` runs after it).
 */
async function holdsAfterPoll(condition: () => boolean): Promise<boolean> {
  if (!condition()) return false;
  await new Promise((resolve) => setImmediate(resolve));
  return condition();
}

async function handle<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
  maxBodyBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
  log: RequestLog,
  logger: HubLogger,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const matched = routeFor(options.routes ?? [], request);
  if (matched) return answerRoute(matched.route, matched.params, url, options.timeoutMs, request, response, log, logger);
  if (url.pathname !== '/graphql' && url.pathname !== '/') {
    log.errorCodes = ['NOT_FOUND'];
    sendJson(response, 404, errorBody('NOT_FOUND', `No route ${url.pathname}; GraphQL is served at /graphql.`));
    return;
  }

  const headers = headerMapOf(request);

  let body: unknown;
  let rawBody: Buffer = Buffer.alloc(0);
  if (request.method === 'POST') {
    const raw = await readBody(request, maxBodyBytes);
    if (raw === null) {
      log.errorCodes = ['PAYLOAD_TOO_LARGE'];
      sendJson(response, 413, errorBody('PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes.`));
      return;
    }
    rawBody = raw;
    if ((headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      try {
        body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      } catch {
        log.errorCodes = ['BAD_REQUEST'];
        sendJson(response, 400, errorBody('BAD_REQUEST', 'Request body is not valid JSON.'));
        return;
      }
    } else {
      body = raw.toString('utf8');
    }
  }

  const timeoutMs = timeLimit(options.timeoutMs, headers);
  const deadline = Deadline.after(timeoutMs);
  deadline.log = log;
  const result = await runWithDeadline(deadline, async () => {
    const contextValue = await options.context({ request, headers, body, rawBody, requestId: log.requestId as string });
    const execution = server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: async () => contextValue,
    });
    return options.answerLateQueries === false ? execution : settleByDeadline(execution, deadline, timeoutMs);
  });
  response.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) response.setHeader(name, value);
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

/** Routes polled by machines: logged at debug level, so that a probe every second does not fill the log. */
const QUIET_ROUTES = new Set(['livez', 'readyz', 'health', 'metrics']);

/**
 * One line per request once it is answered: never its variables, body or headers (tokens);
 * the operation's name is the caller's and is cut to 100 characters.
 */
function logAccess(logger: HubLogger, request: IncomingMessage, response: ServerResponse, route: string, seconds: number, log: RequestLog): void {
  const level = QUIET_ROUTES.has(route) ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      requestId: log.requestId,
      ...(log.traceId === undefined ? {} : { traceId: log.traceId }),
      method: request.method,
      route,
      status: response.statusCode,
      durationMs: Math.round(seconds * 10_000) / 10,
      ...(log.operationName === undefined ? {} : { operationName: log.operationName.slice(0, 100) }),
      ...(log.errorCodes?.length ? { errorCodes: log.errorCodes } : {}),
      // Cut off before its answer was complete (a reset, or the grace period at shutdown).
      ...(response.writableFinished ? {} : { unfinished: true }),
    },
    'request',
  );
}

/** The route a request is counted under: a fixed set, whatever paths clients send. */
function routeName(request: IncomingMessage, routes: HttpRoute[]): string {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (pathname === '/graphql' || pathname === '/') return 'graphql';
  if (pathname === '/livez' || pathname === '/readyz' || pathname === '/health' || pathname === '/metrics') return pathname.slice(1);
  return routeFor(routes, request)?.route.name ?? 'unknown';
}

/** Prometheus text, in every state (starting, serving, draining): a scrape is never refused for that. */
async function answerMetrics(request: IncomingMessage, response: ServerResponse, metrics: HubMetrics, access: MetricsAccess): Promise<void> {
  const refusal = metricsRefusal(access, request.headers.authorization);
  if (refusal) {
    if (refusal.status === 401) response.setHeader('www-authenticate', 'Bearer');
    return sendJson(response, refusal.status, { error: { code: refusal.code, message: refusal.message } });
  }
  const text = await metrics.text();
  response.statusCode = 200;
  response.setHeader('content-type', metrics.contentType);
  response.setHeader('cache-control', 'no-store');
  response.end(request.method === 'HEAD' ? undefined : text);
}

function headerMapOf(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** The caller (the gateway, or a client in a hurry) may ask for less time, never for more. */
function timeLimit(configuredMs: number | undefined, headers: HeaderMap): number {
  return Math.min(configuredMs ?? DEFAULT_REQUEST_TIMEOUT_MS, requestedTimeout(headers.get(TIMEOUT_HEADER)) ?? Infinity);
}

function routeFor(routes: HttpRoute[], request: IncomingMessage): { route: HttpRoute; params: Record<string, string> } | undefined {
  if (routes.length === 0) return undefined;
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  for (const route of routes) {
    const params = route.match(pathname);
    if (params) return { route, params };
  }
  return undefined;
}

/**
 * A route only reads, so it runs as a query does: under the request's deadline, and answered
 * 503 TIMEOUT (safe to retry) once past it, without waiting for the work to end.
 */
async function answerRoute(
  route: HttpRoute,
  params: Record<string, string>,
  url: URL,
  configuredTimeoutMs: number | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  log: RequestLog,
  logger: HubLogger,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    request.resume();
    throw new HttpRejection(405, 'METHOD_NOT_ALLOWED', `${url.pathname} is read with GET.`, { allow: 'GET, HEAD' });
  }
  const headers = headerMapOf(request);
  const timeoutMs = timeLimit(configuredTimeoutMs, headers);
  const deadline = Deadline.after(timeoutMs);
  deadline.operation = 'query';
  deadline.log = log;
  const info: RouteRequest = {
    request,
    headers,
    body: undefined,
    rawBody: Buffer.alloc(0),
    requestId: log.requestId as string,
    url,
    params,
  };
  let answer: HttpAnswer;
  try {
    answer = await runWithDeadline(deadline, () => settleByDeadline(route.get(info), deadline, timeoutMs));
  } catch (error) {
    if (error instanceof HttpRejection) {
      log.errorCodes = [error.code];
      return rejectRouteRequest(response, error);
    }
    logger.error({ requestId: log.requestId, err: error }, `${url.pathname} failed`);
    return sendJson(response, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' } });
  }
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  if (answer.body instanceof Readable) {
    if (request.method === 'HEAD') {
      answer.body.destroy();
      response.end();
      return;
    }
    await pipeline(answer.body, response).catch((error: unknown) => {
      // Cut off mid-download (the client went away, or the stream failed): the line says unfinished.
      if (!response.writableFinished) logger.warn({ requestId: log.requestId, err: error }, `${url.pathname} was cut off`);
    });
    return;
  }
  if (answer.body !== null) response.setHeader('content-length', Buffer.byteLength(answer.body));
  response.end(request.method === 'HEAD' ? undefined : (answer.body ?? undefined));
}

/**
 * A query has no effects, so once past its deadline it is answered 503 TIMEOUT (safe to retry)
 * without waiting for it; the database refuses its further statements. A mutation is never
 * answered as retryable while it may have committed: it is answered with its real outcome,
 * data for what committed and TIMEOUT errors for fields that were stopped and rolled back.
 */
async function settleByDeadline<TResult>(execution: Promise<TResult>, deadline: Deadline, timeoutMs: number): Promise<TResult> {
  const late = () => new HttpRejection(503, 'TIMEOUT', `The query took longer than its limit of ${timeoutMs} ms; nothing was changed. Try again.`, { 'retry-after': '1' });
  let cancelTimer = () => {};
  const pastDeadline = new Promise<'past deadline'>((resolve) => {
    cancelTimer = deadline.whenExpired(() => resolve('past deadline'));
  });
  try {
    const first = await Promise.race([execution, pastDeadline]);
    if (first === 'past deadline' && deadline.operation === 'query') {
      // The query is left to end by itself (its next statement is refused); nobody awaits it.
      execution.catch(() => {});
      throw late();
    }
    const result = first === 'past deadline' ? await execution : first;
    // On PGlite the timer cannot fire while the embedded database works: the query comes back
    // late, with its refused statements marked TIMEOUT, and is answered the same way here.
    if (deadline.operation === 'query' && deadline.expired()) throw late();
    return result;
  } finally {
    cancelTimer();
  }
}

/** A route's refusal, in the shape plain HTTP clients expect: `{ error: { code, message } }`. */
function rejectRouteRequest(response: ServerResponse, rejection: HttpRejection): void {
  for (const [name, value] of Object.entries(rejection.headers)) response.setHeader(name, value);
  sendJson(response, rejection.status, { error: { code: rejection.code, message: rejection.message, ...rejection.extensions } });
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
