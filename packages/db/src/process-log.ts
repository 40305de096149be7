/**
 * Where the database layer writes what it meets outside any request (a server stopped, an
 * idle connection closed, a heartbeat lost): the process's logger once its entry point has
 * made one (`useDatabaseLog`), and until then a JSON line on stderr in the same form.
 */
export interface DatabaseLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const stderrLine =
  (level: 'warn' | 'error') =>
  (fields: Record<string, unknown>, message: string): void => {
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), ...fields, message })}\n`);
  };

let log: DatabaseLog = { warn: stderrLine('warn'), error: stderrLine('error') };

export function databaseLog(): DatabaseLog {
  return log;
}

/** Sends the database layer's lines through the process's logger. */
export function useDatabaseLog(logger: DatabaseLog): void {
  log = logger;
}
