import { useDatabaseLog } from '@hub/db';
import pino from 'pino';
import type { EnvReader } from './environment.ts';

/** The hub's logger: pino, one JSON object a line. */
export type HubLogger = pino.Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The header a request's id travels in: answered to the caller, forwarded to the subgraphs. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A process's root logger: one JSON line per entry — `level` by name, `time` in ISO 8601,
 * `message`, the host and process, and the entry's own fields — written to stderr (through
 * `process.stderr`, so that what a process logs is what its stderr shows). Each part of the
 * process logs through a child that names it: `logger.child({ service: 'gateway' })`.
 */
export function createLogger(options: { level?: LogLevel; destination?: pino.DestinationStream } = {}): HubLogger {
  return pino(
    {
      level: options.level ?? 'info',
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stderr,
  );
}

/** `LOG_LEVEL`: info unless set. */
export function logLevelFrom(reader: EnvReader): LogLevel {
  return reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
}

/**
 * The id a request is known by in every log line about it: the caller's `x-request-id` when it
 * is a plain token of at most 128 characters (a balancer's, or the gateway's for a subgraph),
 * else a new UUID.
 */
export function requestIdFrom(header: string | undefined, newId: () => string): string {
  return header !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(header) ? header : newId();
}

let processLogger: HubLogger | undefined;

/**
 * The logger for what concerns the process rather than a request: its start, drain and stop,
 * its background work, the database server it runs. The entry point makes it from the
 * configuration (`makeProcessLog`); until then (a configuration that does not read) it is
 * one at info level on stderr, so every line a process writes is JSON.
 */
export function processLog(): HubLogger {
  return (processLogger ??= createLogger());
}

/**
 * Makes the process's logger, for the server's lines and the database layer's alike, naming
 * `service`. Its level is never above info whatever LOG_LEVEL says, so that a process that logs
 * only warnings about requests still says when it is ready, draining and stopped (what its
 * operator, its supervisor and its tests wait for); `silent` is silent.
 */
export function makeProcessLog(level: LogLevel, service: string): void {
  const processLevel = level === 'warn' || level === 'error' || level === 'fatal' ? 'info' : level;
  processLogger = createLogger({ level: processLevel }).child({ service });
  useDatabaseLog(processLogger);
}
