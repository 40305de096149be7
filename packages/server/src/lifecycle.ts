import { DataDirLockedError, EmbeddedPostgresError, type Database } from '@hub/db';
import { ConfigError } from './environment.ts';
import { processLog } from './logger.ts';

/** How long a readiness probe waits for a database before calling it down. */
const PROBE_TIMEOUT_MS = 2_000;

/** True when the database answers a ping in time. The driver's message is logged, never shown. */
export async function databaseAnswers(database: Database, label: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      database.ping(),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch (error) {
    processLog().warn({ part: label }, `readiness: ${label} is down: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** One line an operator can act on for the failures expected at start-up; anything else as it is. */
export function startupFailureMessage(error: unknown): string {
  if (error instanceof EmbeddedPostgresError) return `${error.message} (${error.code})`;
  if (error instanceof ConfigError || error instanceof DataDirLockedError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const { address, port } = error as { address?: string; port?: number };
    return code === 'EADDRINUSE'
      ? `Port ${port} on ${address} is already in use by another process; nothing was opened. Stop that process or set PORT.`
      : `Port ${port} on ${address} may not be used by this user; set PORT to another.`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Stops the process cleanly on SIGTERM or SIGINT: `stop` drains and closes, then the process
 * exits 0. A second signal while draining ends the process at once (exit 1): requests still
 * running are cut off, and the data-folder lock is left for the next start to take over.
 */
export function stopOnSignals(name: string, stop: () => Promise<void>): void {
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      // Ctrl-C reaches npm, tsx and this process together, and they pass it on: a repeat
      // within a second is the same request to stop.
      if (Date.now() - firstSignalAt < 1_000) return;
      processLog().error({ signal }, `${signal} again: ${name} stops now, without waiting for requests in flight.`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    processLog().info({ signal }, `${signal}: ${name} is draining (requests in flight finish; new ones are answered 503 SHUTTING_DOWN).`);
    stop().then(
      () => exitAfterLog(0, 'info', {}, `${name} stopped.`),
      (error: unknown) => exitAfterLog(1, 'error', { err: error }, `${name} did not stop cleanly`),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Ends the process once its last line is written: pino writes to stderr as the stream takes
 * it, and a pipe (npm's, a container's) may not have taken it yet when `process.exit` runs.
 */
export function exitAfterLog(code: number, level: 'info' | 'error' | 'fatal', fields: Record<string, unknown>, message: string): void {
  processLog()[level](fields, message);
  process.stderr.write('', () => process.exit(code));
}
