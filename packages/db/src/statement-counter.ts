import type { Logger } from 'drizzle-orm/logger';

/**
 * Counts the SQL statements drizzle sends. Tests read it around an operation to prove that
 * the statement count does not grow with page size (no N+1); the metrics count them all.
 */
export class StatementCounter implements Logger {
  count = 0;
  private readonly listeners = new Set<(query: string) => void>();

  logQuery(query: string): void {
    this.count += 1;
    for (const listener of this.listeners) listener(query);
  }

  /** Calls `listener` with each statement from now on; returns the call that stops it. */
  onStatement(listener: (query: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `work` and returns its result with the statements it sent, in order. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = [];
    const listener = (query: string) => statements.push(query);
    this.listeners.add(listener);
    try {
      const result = await work();
      return { result, statements };
    } finally {
      this.listeners.delete(listener);
    }
  }
}
