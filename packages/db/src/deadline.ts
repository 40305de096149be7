import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The point in time by which a request must be done, carried with the request's async work
 * down to the database layer. The database refuses to start a statement once it has passed
 * and, on a Postgres server, cancels the statement running when it passes — unless the
 * request has already committed a write: from then on its outcome is decided, and the work
 * runs to the end so that the answer tells what happened.
 */
export class Deadline {
  /** Set once a write may have committed under this request. */
  committed = false;
  /** The kind of GraphQL operation the request runs, once known. */
  operation: 'query' | 'mutation' | 'subscription' | undefined;
  /**
   * What the request's log lines tell of it, filled as it runs: its id (every line written
   * under this deadline carries it), its operation's name and its errors' codes.
   */
  log: RequestLog = {};
  /**
   * The tables the request's statements named, when something asked to know: the response
   * cache keeps an answer with the versions of the tables it was read from.
   */
  reads: TablesRead | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly at: number) {}

  static after(milliseconds: number): Deadline {
    return new Deadline(Date.now() + milliseconds);
  }

  /** Milliseconds left, never below zero. */
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  expired(): boolean {
    return Date.now() >= this.at;
  }

  /** Calls `action` when the deadline passes; returns a function that cancels the call. */
  whenExpired(action: () => void): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, this.remaining());
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }
}

export interface TablesRead {
  /** The schemas whose tables are noted (the subgraphs'); other names are left out. */
  readonly schemas: ReadonlySet<string>;
  /** Qualified names, `jiangsu.funding_entries`. */
  readonly tables: Set<string>;
  /** Set when part of the answer came from work whose statements were not noted here. */
  unknown: boolean;
}

export interface RequestLog {
  requestId?: string;
  /** The trace the request's spans belong to, when tracing is on. */
  traceId?: string;
  operationName?: string;
  errorCodes?: string[];
}

/** Thrown instead of starting a statement after the request's deadline; the caller may retry. */
export class DeadlineExceededError extends Error {
  readonly code = 'TIMEOUT';

  constructor(message = 'The request ran past its time limit; its unfinished work was stopped and rolled back.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadlineExceededError';
  }
}

const storage = new AsyncLocalStorage<Deadline>();

/** Runs `work` (and every async continuation it starts) under `deadline`. */
export function runWithDeadline<T>(deadline: Deadline, work: () => T): T {
  return storage.run(deadline, work);
}

/** The deadline of the request this code runs for, if any (start-up work has none). */
export function currentDeadline(): Deadline | undefined {
  return storage.getStore();
}

interface ReadsScope {
  reads: TablesRead;
  /** The scope this one runs within: a subgraph's read of a peer, within a fetch of the gateway's. */
  outer: ReadsScope | undefined;
}

const fetchReads = new AsyncLocalStorage<ReadsScope>();

/**
 * Runs `work` (and every async continuation it starts) noting the tables its statements name in
 * `reads` as well as in its request's and in those of the reads it runs within: one subgraph
 * fetch of a request, or one read of a peer by a subgraph, which the gateway's fetch cache
 * keeps with the tables it was read from.
 */
export function runNotingReads<T>(reads: TablesRead, work: () => T): T {
  return fetchReads.run({ reads, outer: fetchReads.getStore() }, work);
}

/** The reads of the fetch this code runs for and of each it runs within, innermost first; none when nothing asked to know. */
export function currentFetchReads(): TablesRead[] {
  const all: TablesRead[] = [];
  for (let scope = fetchReads.getStore(); scope; scope = scope.outer) all.push(scope.reads);
  return all;
}

/** True when `error`, or an error it wraps (`cause`, `originalError`), is a passed deadline. */
export function isDeadlineExceeded(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    if (current instanceof DeadlineExceededError) return true;
    seen.add(current);
    const wrapper = current as { cause?: unknown; originalError?: unknown };
    current = wrapper.originalError ?? wrapper.cause;
  }
  return false;
}
