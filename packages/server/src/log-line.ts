import { processLog } from './logger.ts';

/**
 * One line about the process's own work (a background task, a rule spanning subgraphs), in
 * the form every part of the hub logs in: through the process's logger, its level, what
 * happened, and the records it concerns.
 */
export function logLine(level: 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  processLog()[level](fields, message);
}
