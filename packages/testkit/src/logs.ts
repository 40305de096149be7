import { createLogger, type HubLogger, type LogLevel } from '@hub/server';

/** A logged line, parsed. */
export type LogLine = Record<string, any>;

/** A logger that keeps every line it writes (from `level` up) as a parsed object, in order. */
export function keptLinesLogger(level: LogLevel = 'info'): { logger: HubLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { logger, lines };
}
