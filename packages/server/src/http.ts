import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { Deadline, runWithDeadline, type RequestLog } from '@hub/db';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ConcurrencyLimit, type Concurrency } from './concurrency-limit.ts';
import { TIMEOUT_HEADER, requestedTimeout } from './deadline.ts';
import { CONSOLE_ASSETS_PATH, registerConsole, type ConsoleOptions } from './console.ts';
import { EXPLORER_ASSETS_PATH, registerExplorer, type ExplorerOptions } from './explorer.ts';
import { REQUEST_ID_HEADER, createLogger, requestIdFrom, type HubLogger } from './logger.ts';
import { metricsRefusal, type HubMetrics, type MetricsAccess } from './metrics.ts';
import { endServerSpan, startServerSpan, type ServerSpan } from './tracing.ts';

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
  /**
   * The client's address: the socket's, unless the socket is a proxy the operator named
   * (`trustedProxies`); then the address that proxy forwarded in X-Forwarded-For, walking back
   * through trusted proxies only. Without trusted proxies a forwarded address is never believed.
   */
  clientAddress: string;
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
/** Largest request body accepted unless `maxBodyBytes` says otherwise. */
const DEFAULT_MAX_BODY_BYTES = 1_000_000;
/**
 * Longest a client may take to send a whole request (headers and body) before its connection
 * is closed, so that slow senders cannot hold connections open; the work it asks for then has
 * its own limit (`timeoutMs`).
 */
const RECEIVE_TIMEOUT_MS = 30_000;

export interface ServeOptions<TContext extends BaseContext> {
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
  /**
   * How many GraphQL requests work at once, and how many may wait their turn beyond them: a
   * request arriving when that many wait is answered 503 OVERLOADED with nothing run. A
   * request waits for its turn where its work asks for it (`Deadline.takeTurn`: the gateway's
   * fetches do); still waiting at its time limit, it is refused there (NoTurnError). None:
   * every request works as it comes (a subgraph service, whose requests come from gateways
   * that limit theirs, and may wait on each other).
   */
  concurrency?: Concurrency;
}

export interface ListenOptions {
  port: number;
  host?: string;
  /** Largest request body accepted, in bytes; larger ones get 413 PAYLOAD_TOO_LARGE. */
  maxBodyBytes?: number;
  /**
   * The proxies (addresses or CIDR ranges, as proxy-addr reads them) whose X-Forwarded-For
   * is believed for the client's address; none unless given.
   */
  trustedProxies?: readonly string[];
  /** Observes every request, and serves GET /metrics to whoever `access` lets read it. */
  metrics?: { metrics: HubMetrics; access: MetricsAccess };
  /**
   * Writes one line per request (probes and scrapes at debug level) and the errors met outside
   * GraphQL; warnings and errors to stderr unless given.
   */
  logger?: HubLogger;
  /**
   * Serves the explorer (GraphiQL) from its build: its page at /graphql to browsers (a GET
   * whose Accept prefers text/html), its files under /explorer/assets/. None: every request
   * to /graphql is GraphQL (production).
   */
  explorer?: ExplorerOptions;
  /**
   * Serves the web console from its build: its page at / and at every path that is not the
   * hub's own to browsers, its files under /console/assets/. None: those are GraphQL and 404s.
   */
  console?: ConsoleOptions;
}

/** What the listener keeps of a request from its arrival to its answer. */
interface RequestState {
  /** Filled by GraphQL as the request runs (the deadline carries it): its operation and error codes. */
  log: RequestLog;
  trace: ServerSpan;
  arrivedWhile: 'starting' | 'serving' | 'draining';
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received, for the signature over the request; empty for a GET. */
    rawBody: Buffer;
    hub: RequestState;
  }
}

const GRAPHQL_PATHS = ['/graphql', '/'];

/**
 * Serves an Apollo Server over HTTP: POST and GET /graphql, GET /livez, /readyz, /health and
 * (with metrics) /metrics, and the routes beside GraphQL. See `listenHttp`.
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
 *
 * Fastify serves: routing, body limits and parsing, timeouts, the client's address behind
 * trusted proxies, request ids; Apollo's Fastify integration runs GraphQL. What is the hub's
 * own is around them: every request runs under its deadline and in its server span, is
 * counted and logged once answered, and is answered 503 while the process starts or drains.
 */
export async function listenHttp(options: ListenOptions): Promise<HttpListener> {
  let state: RequestState['arrivedWhile'] = 'starting';
  let serving: { graphql: GraphQLHandler; health: HealthCheck; routes: HttpRoute[]; timeoutMs: number | undefined } | undefined;
  const inFlight = new Set<FastifyReply>();
  /** When a connection was last accepted or an answer last finished. */
  let lastActivityAt = Date.now();

  const observed = options.metrics;
  const logger = options.logger ?? createLogger({ level: 'warn' });
  /** Which part of the hub this listener serves, as its logger names it: for the spans. */
  const service = String(logger.bindings()['service'] ?? 'hub');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const routes = () => serving?.routes ?? [];

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request is written here, with the hub's fields, once it is answered; the
    // request's id is in it, so no logger is made for each request.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (parent) => parent,
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER] as string | undefined, randomUUID),
    requestIdHeader: false,
    bodyLimit: maxBodyBytes,
    requestTimeout: RECEIVE_TIMEOUT_MS,
    trustProxy: options.trustedProxies && options.trustedProxies.length > 0 ? [...options.trustedProxies] : false,
    // While draining this listener answers itself (SHUTTING_DOWN), until the last connection closes.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('rawBody', null as unknown as Buffer);
  app.decorateRequest('hub', null as unknown as RequestState);

  // Bodies are kept as received, for the signature that covers them; JSON is parsed here so
  // that a broken one is a clear 400, and anything else reaches GraphQL as text (which refuses it).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw: Buffer, done) => {
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(new HttpRejection(400, 'BAD_REQUEST', 'Request body is not valid JSON.'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, raw: Buffer, done) => {
    request.rawBody = raw;
    done(null, raw.toString('utf8'));
  });

  app.server.on('connection', () => {
    lastActivityAt = Date.now();
  });

  app.addHook('onRequest', (request, reply, done) => {
    inFlight.add(reply);
    const started = performance.now();
    request.rawBody = EMPTY;
    void reply.header(REQUEST_ID_HEADER, request.id);
    const trace = startServerSpan(request.headers, request.method, { 'http.request.method': request.method, 'hub.service': service });
    const log: RequestLog = { requestId: request.id };
    if (trace.span.isRecording()) log.traceId = trace.span.spanContext().traceId;
    request.hub = { log, trace, arrivedWhile: state };
    reply.raw.once('close', () => {
      inFlight.delete(reply);
      lastActivityAt = Date.now();
      const label = routeName(request.url, routes());
      const seconds = (performance.now() - started) / 1000;
      observed?.metrics.observeRequest(label, reply.raw.statusCode, seconds);
      logAccess(logger, request, reply, label, seconds, log);
      trace.span.updateName(`${request.method} ${label}`);
      endServerSpan(trace.span, reply.raw.statusCode, label);
    });
    // While draining, no connection is kept for another request.
    if (state === 'draining') closeAfterAnswer(reply);
    // A request's address is read from its Host (RFC 9112 §3.2: one that is not a host is a 400).
    if (!URL.canParse(request.url, `${request.protocol}://${request.hostname}/`)) {
      return done(new HttpRejection(400, 'BAD_REQUEST', 'The Host header does not name a host.'));
    }
    done();
  });

  app.setErrorHandler((error: FastifyError | HttpRejection, request, reply) => {
    const rejection = error instanceof HttpRejection ? error : frameworkRejection(error, maxBodyBytes);
    if (!rejection) {
      logger.error({ requestId: request.id, traceId: request.hub?.log.traceId, err: error }, 'request failed outside GraphQL execution');
      return sendJson(reply, 500, answerRejection(request, new HttpRejection(500, 'INTERNAL_SERVER_ERROR', 'Internal server error.'), routes()));
    }
    if (request.hub) request.hub.log.errorCodes = [rejection.code];
    void reply.headers(rejection.headers);
    return sendJson(reply, rejection.status, answerRejection(request, rejection, routes()));
  });

  app.get('/livez', async (_request, reply) => sendJson(reply, 200, { status: 'ok' }));
  const readiness = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (state !== 'serving' || !serving) return sendJson(reply, 503, { status: state === 'draining' ? 'draining' : 'starting' });
    let report: HealthReport;
    try {
      report = await serving.health();
    } catch (error) {
      logger.error({ err: error }, 'the readiness check failed');
      report = { down: ['readiness-check'] };
    }
    const { down, ...details } = report;
    if (down.length > 0) return sendJson(reply, 503, { status: 'unavailable', down });
    return sendJson(reply, 200, { status: 'ok', ...details });
  };
  app.get('/readyz', readiness);
  app.get('/health', readiness);
  if (observed) {
    // Prometheus text, in every state (starting, serving, draining): a scrape is never refused for that.
    app.get('/metrics', async (request, reply) => {
      const refusal = metricsRefusal(observed.access, request.headers.authorization);
      if (refusal) {
        if (refusal.status === 401) void reply.header('www-authenticate', 'Bearer');
        return sendJson(reply, refusal.status, { error: { code: refusal.code, message: refusal.message } });
      }
      const text = await observed.metrics.text();
      return reply.code(200).header('content-type', observed.metrics.contentType).header('cache-control', 'no-store').send(text);
    });
  }

  /**
   * Refuses the request unless this process served when it arrived: it was starting (503
   * STARTING) or draining (503 SHUTTING_DOWN). Decided on arrival, so that a request already
   * in hand when the drain began is served; answered once its body is read, since closing a
   * connection whose request body is unread resets it, and the answer would be lost with it.
   */
  const admitted = (request: FastifyRequest) => {
    if (request.hub.arrivedWhile === 'draining') {
      throw new HttpRejection(
        503,
        'SHUTTING_DOWN',
        'This process is shutting down and did not start the request; nothing was changed. Send it again (to another instance).',
        { 'retry-after': '1' },
      );
    }
    if (request.hub.arrivedWhile === 'starting' || !serving) {
      throw new HttpRejection(503, 'STARTING', 'The hub is starting; try again in a moment.', { 'retry-after': '1' });
    }
    return serving;
  };

  const explorer = options.explorer ? await registerExplorer(app, options.explorer, logger) : undefined;
  const webConsole = options.console ? await registerConsole(app, options.console, logger) : undefined;
  for (const url of GRAPHQL_PATHS) {
    app.route({
      // Every method reaches Apollo Server, which answers those it does not serve with 405.
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      url,
      exposeHeadRoute: false,
      // A browser at / gets the console, and at /graphql the explorer (or at / when there is no
      // console): static pages, served even while the hub starts.
      handler: (request, reply) => {
        if (webConsole?.wanted(request, url)) return webConsole.page(reply);
        return explorer?.wanted(request) ? explorer.page(reply) : admitted(request).graphql(request, reply);
      },
    });
  }
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const url = new URL(request.url, 'http://localhost');
      // A browser at a page of the console, which routes in the browser; the hub's own routes
      // (downloads, packages' PDFs) stay theirs, whoever asks.
      if (webConsole?.wanted(request, url.pathname) && !(serving && routeFor(serving.routes, url.pathname))) return webConsole.page(reply);
      const { routes: served, timeoutMs } = admitted(request);
      const matched = routeFor(served, url.pathname);
      if (!matched) throw new HttpRejection(404, 'NOT_FOUND', `No route ${url.pathname}; GraphQL is served at /graphql.`);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        throw new HttpRejection(405, 'METHOD_NOT_ALLOWED', `${url.pathname} is read with GET.`, { allow: 'GET, HEAD' });
      }
      return answerRoute(matched.route, matched.params, url, timeoutMs, request, reply, logger);
    },
  });

  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    serve(server, serveOptions) {
      const limit = serveOptions.concurrency && new ConcurrencyLimit(serveOptions.concurrency);
      if (limit) observed?.metrics.watchConcurrency(limit);
      serving = {
        graphql: graphqlHandler(app, server, serveOptions, limit),
        health: serveOptions.health,
        routes: serveOptions.routes ?? [],
        timeoutMs: serveOptions.timeoutMs,
      };
      state = 'serving';
    },
    stop(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
      stopping ??= (() => {
        state = 'draining';
        // Answers still to be sent close their connection after them.
        for (const reply of inFlight) if (!reply.raw.headersSent) closeAfterAnswer(reply);
        return drain(app, graceMs, logger, {
          answered: () => inFlight.size === 0,
          quiet: () => inFlight.size === 0 && Date.now() - lastActivityAt >= LISTENER_QUIET_MS,
        });
      })();
      return stopping;
    },
  };
}

const EMPTY = Buffer.alloc(0);

type GraphQLHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * A GraphQL request: its context is made first (a refusal there is an HTTP answer with its own
 * status), then Apollo's Fastify integration runs it, all under the request's deadline.
 */
function graphqlHandler<TContext extends BaseContext>(
  app: FastifyInstance,
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
  limit: ConcurrencyLimit | undefined,
): GraphQLHandler {
  return async (request, reply) => {
    const { log, trace } = request.hub;
    const headers = headerMapOf(request.headers);
    const timeoutMs = timeLimit(options.timeoutMs, headers);
    const deadline = Deadline.after(timeoutMs);
    deadline.log = log;
    return trace.within(() =>
      runWithDeadline(deadline, async () => {
        const contextValue = await options.context(requestInfo(request, headers));
        const apollo = fastifyApolloHandler(server, { context: async () => contextValue });
        if (limit?.full()) throw overloaded();
        const turn = limit?.turn(deadline, request.raw.socket, () => alikeKey(request));
        deadline.takeTurn = turn?.take;
        // The integration types its request for its own route; this one is the same request.
        const execution = (async () => apollo.call(app, request as Parameters<typeof apollo>[0], reply as Parameters<typeof apollo>[1]))();
        // The turn is held until the work ends, though a late query is answered before that.
        if (turn) void execution.then(turn.end, turn.end);
        return options.answerLateQueries === false ? execution : settleByDeadline(execution, deadline, timeoutMs);
      }),
    );
  };
}

function requestInfo(request: FastifyRequest, headers: HeaderMap): IncomingRequestInfo {
  return { request: request.raw, headers, body: request.body, rawBody: request.rawBody, requestId: request.id, clientAddress: request.ip };
}

/**
 * The listener stays open while requests in flight finish, so that a request sent meanwhile is
 * answered (503 SHUTTING_DOWN, safe to send elsewhere) rather than reset in the accept queue,
 * which is what closing it at once did to requests a busy process had not accepted yet.
 */
async function drain(app: FastifyInstance, graceMs: number, logger: HubLogger, progress: { answered: () => boolean; quiet: () => boolean }): Promise<void> {
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
    // Fastify stops accepting and closes the idle connections; one still being answered is
    // closed once its answer is sent (it says `Connection: close`), or when the grace is over.
    if (graceIsOver) app.server.closeAllConnections();
    const closed = app.close();
    await Promise.race([closed, graceOver]);
    app.server.closeAllConnections();
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

function closeAfterAnswer(reply: FastifyReply): void {
  reply.raw.shouldKeepAlive = false;
  void reply.header('connection', 'close');
}

/** Fastify's own refusals (a body too large, a broken request) in the hub's codes; anything else is not the caller's. */
function frameworkRejection(error: FastifyError, maxBodyBytes: number): HttpRejection | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new HttpRejection(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes.`);
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new HttpRejection(error.statusCode, 'BAD_REQUEST', error.message);
  }
  return undefined;
}

/**
 * A refusal in the shape its client expects: a route's plain HTTP clients `{ error: { code,
 * message } }`, everyone else GraphQL's `{ errors: [...] }`.
 */
function answerRejection(request: FastifyRequest, rejection: HttpRejection, routes: HttpRoute[]): unknown {
  if (routeFor(routes, new URL(request.url, 'http://localhost').pathname)) {
    return { error: { code: rejection.code, message: rejection.message, ...rejection.extensions } };
  }
  return { errors: [{ message: rejection.message, extensions: { code: rejection.code, ...rejection.extensions } }] };
}

/** Routes polled by machines: logged at debug level, so that a probe every second does not fill the log. */
const QUIET_ROUTES = new Set(['livez', 'readyz', 'health', 'metrics']);

/**
 * One line per request once it is answered: never its variables, body or headers (tokens);
 * the operation's name is the caller's and is cut to 100 characters.
 */
function logAccess(logger: HubLogger, request: FastifyRequest, reply: FastifyReply, route: string, seconds: number, log: RequestLog): void {
  const level = QUIET_ROUTES.has(route) ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      requestId: log.requestId,
      ...(log.traceId === undefined ? {} : { traceId: log.traceId }),
      method: request.method,
      route,
      status: reply.raw.statusCode,
      durationMs: Math.round(seconds * 10_000) / 10,
      clientAddress: request.ip,
      ...(log.operationName === undefined ? {} : { operationName: log.operationName.slice(0, 100) }),
      ...(log.errorCodes?.length ? { errorCodes: log.errorCodes } : {}),
      // Cut off before its answer was complete (a reset, or the grace period at shutdown).
      ...(reply.raw.writableFinished ? {} : { unfinished: true }),
    },
    'request',
  );
}

/** The route a request is counted under: a fixed set, whatever paths clients send. */
function routeName(requestUrl: string, routes: HttpRoute[]): string {
  const { pathname } = new URL(requestUrl, 'http://localhost');
  if (GRAPHQL_PATHS.includes(pathname)) return 'graphql';
  if (pathname === '/livez' || pathname === '/readyz' || pathname === '/health' || pathname === '/metrics') return pathname.slice(1);
  if (pathname.startsWith(EXPLORER_ASSETS_PATH)) return 'explorer';
  if (pathname.startsWith(CONSOLE_ASSETS_PATH)) return 'console';
  return routeFor(routes, pathname)?.route.name ?? 'unknown';
}

function headerMapOf(incoming: FastifyRequest['headers']): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** The caller (the gateway, or a client in a hurry) may ask for less time, never for more. */
function timeLimit(configuredMs: number | undefined, headers: HeaderMap): number {
  return Math.min(configuredMs ?? DEFAULT_REQUEST_TIMEOUT_MS, requestedTimeout(headers.get(TIMEOUT_HEADER)) ?? Infinity);
}

function routeFor(routes: HttpRoute[], pathname: string): { route: HttpRoute; params: Record<string, string> } | undefined {
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
  request: FastifyRequest,
  reply: FastifyReply,
  logger: HubLogger,
): Promise<FastifyReply> {
  const { log, trace } = request.hub;
  const headers = headerMapOf(request.headers);
  const timeoutMs = timeLimit(configuredTimeoutMs, headers);
  const deadline = Deadline.after(timeoutMs);
  deadline.operation = 'query';
  deadline.log = log;
  const info: RouteRequest = { ...requestInfo(request, headers), url, params };
  const answer = await trace.within(() => runWithDeadline(deadline, () => settleByDeadline(route.get(info), deadline, timeoutMs)));
  void reply.code(answer.status).headers(answer.headers);
  if (answer.body instanceof Readable) {
    if (request.method === 'HEAD') {
      answer.body.destroy();
      return reply.send();
    }
    // Cut off mid-download (the client went away, or the stream failed): the line says unfinished.
    answer.body.once('error', (error) => logger.warn({ requestId: log.requestId, err: error }, `${url.pathname} was cut off`));
    return reply.send(answer.body);
  }
  return reply.send(answer.body ?? undefined);
}

/**
 * What makes two requests the same one (ConcurrencyLimit): the same caller (its credentials)
 * asking the same thing (the URL and the body as sent).
 */
function alikeKey(request: FastifyRequest): string {
  return `${request.method} ${request.url}\n${request.headers.authorization ?? ''}\n${request.rawBody.toString('latin1')}`;
}

/** A request beyond those waiting for their turn (ConcurrencyLimit): nothing of it was run. */
function overloaded(): HttpRejection {
  return new HttpRejection(503, 'OVERLOADED', 'The hub has more requests waiting than it takes; nothing was run or changed. Try again in a moment.', { 'retry-after': '1' });
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

function sendJson(reply: FastifyReply, status: number, payload: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(payload));
}
