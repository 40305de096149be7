/**
 * Work a subgraph does on its own, outside any request: finishing what a request left
 * pending (a package signing whose other books did not answer, docs/decisions/0023). Started
 * once per process, after the database is migrated and seeded and the peers can be reached;
 * stopped before the subgraph's server and database close.
 */
export interface BackgroundSettings {
  /** The first wait before pending work is tried again (SIGNING_RETRY_MS); the work may wait longer after that. */
  retryMs: number;
  /** How long one try may take, as long as a request may (REQUEST_TIMEOUT_MS). */
  tryTimeoutMs: number;
}

/** Running background work. `stop` ends it and resolves once the try in flight, if any, has ended. */
export interface BackgroundTask {
  stop(): Promise<void>;
}

export const DEFAULT_SIGNING_RETRY_MS = 5_000;
