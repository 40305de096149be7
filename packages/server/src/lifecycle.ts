import { DataDirLockedError, EmbeddedPostgresError, type Database } from '@hub/db';
import { ConfigError } from './environment.ts';

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
    console.warn(`readiness: ${label} is down: ${error instanceof Error ? error.message : String(error)}`);
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
      console.error(`${signal} again: ${name} stops now, without waiting for requests in flight.`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    console.log(`${signal}: ${name} is draining (requests in flight finish; new ones are answered 503 SHUTTING_DOWN).`);
    stop().then(
      () => {
        console.log(`${name} stopped.`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`${name} did not stop cleanly:`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
