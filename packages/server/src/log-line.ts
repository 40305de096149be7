/**
 * One line of JSON on stderr, the form every part of the hub logs in (the gateway's masked
 * errors too): the time, the level, what happened, and the records it concerns.
 */
export function logLine(level: 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), message, ...fields })}\n`);
}
