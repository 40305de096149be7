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
  /**
   * Waits for the request's turn to work (the gateway's ConcurrencyLimit), taken by its first
   * fetch from a subgraph; none where nothing limits it. A request answered from kept answers
   * never takes one.
   */
  takeTurn: (() => Promise<void>) | undefined;
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
  /** Qualified names, `jiangsu.funding_entry`: tables read as a whole, or in a way not known. */
  readonly tables: Set<string>;
  /**
   * Tables read only by key (`runReadingRows`), each with its key column and the keys read. A
   * table read as a whole too is in `tables` alone.
   */
  readonly rows: Map<string, { column: string; keys: Set<string> }>;
  /** Set when part of the answer came from work whose statements were not noted here. */
  unknown: boolean;
  /**
   * Whether the keys of a table read only by key are noted; when not, such a table is noted as
   * read whole. The caches need the keys; knowing whether a write touched a table read does not,
   * and thousands of keys (a tracking reads 10,000 projects' sums) cost every request that notes them.
   */
  readonly byKey: boolean;
}

/** Nothing read yet, of the tables of `schemas`; with `byKey` false, tables read by key are noted as read whole. */
export function noReads(schemas: ReadonlySet<string>, byKey = true): TablesRead {
  return { schemas, tables: new Set(), rows: new Map(), unknown: false, byKey };
}

/** Which rows of one table a statement reads: those whose `column` is one of `keys`. */
export interface RowsRead {
  /** Qualified name, `jiangsu.funding_project_total`. */
  table: string;
  column: string;
  keys: readonly string[];
  /** Set once the first statement of the scope was sent: the statements after it read the table whole. */
  sent?: boolean;
}

/** Notes in `reads` that `table` was read only by `column`, the rows of `keys`; a table read as a whole stays so. */
export function noteRowsRead(reads: TablesRead, table: string, column: string, keys: Iterable<string>): void {
  if (reads.tables.has(table)) return;
  if (!reads.byKey) {
    reads.tables.add(table);
    return;
  }
  const known = reads.rows.get(table);
  if (!known) {
    reads.rows.set(table, { column, keys: new Set(keys) });
  } else if (known.column !== column) {
    // By two columns: what was written is compared as for a table read as a whole.
    reads.rows.delete(table);
    reads.tables.add(table);
  } else {
    for (const key of keys) known.keys.add(key);
  }
}

/** Notes in `reads` that `table` was read as a whole. */
export function noteTableRead(reads: TablesRead, table: string): void {
  reads.rows.delete(table);
  reads.tables.add(table);
}

/** Adds to `into` what `from` read. */
export function addReads(into: TablesRead, from: TablesRead): void {
  for (const table of from.tables) noteTableRead(into, table);
  for (const [table, { column, keys }] of from.rows) noteRowsRead(into, table, column, keys);
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

/**
 * What the code running now runs for: its request's deadline, the reads it notes, the
 * transaction whose writes it marks, the tables a write notes. One store for all: Node copies each store's value
 * onto every promise made while it is set, and a request makes tens of thousands.
 */
interface Frame {
  deadline?: Deadline | undefined;
  scope?: ReadsScope | undefined;
  writes?: { wrote: boolean } | undefined;
  written?: TablesWritten | undefined;
}

const frames = new AsyncLocalStorage<Frame>();

/** Runs `work` (and every async continuation it starts) under `deadline`. */
export function runWithDeadline<T>(deadline: Deadline, work: () => T): T {
  return frames.run({ ...frames.getStore(), deadline }, work);
}

/** The deadline of the request this code runs for, if any (start-up work has none). */
export function currentDeadline(): Deadline | undefined {
  return frames.getStore()?.deadline;
}

/** Runs `work`, a transaction's, marking its writes in `writes` (deadline-guard.ts). */
export function runMarkingWrites<T>(writes: { wrote: boolean }, work: () => T): T {
  return frames.run({ ...frames.getStore(), writes }, work);
}

/** The writes of the transaction this code runs in, if any. */
export function currentTransactionWrites(): { wrote: boolean } | undefined {
  return frames.getStore()?.writes;
}

/**
 * The tables one write wrote (qualified names, `jiangsu.funding_entry`), those its triggers wrote
 * among them, as its transactions told before they committed; or, with `unknown`, not known: it
 * wrote in a way no transaction told (a statement outside one, a TRUNCATE), and may have written
 * any table.
 */
export interface TablesWritten {
  readonly tables: Set<string>;
  unknown: boolean;
}

/** Nothing written yet. */
export function noWrites(): TablesWritten {
  return { tables: new Set(), unknown: false };
}

/** Runs `work` (and every async continuation it starts) noting in `written` the tables its statements write (deadline-guard.ts). */
export function runNotingWrites<T>(written: TablesWritten, work: () => T): T {
  return frames.run({ ...frames.getStore(), written }, work);
}

/** Where the code running now notes the tables it writes, if anything asked to know. */
export function currentWritesNoted(): TablesWritten | undefined {
  return frames.getStore()?.written;
}

interface ReadsScope {
  /** What a fetch, or a read of a peer, reads; none in a scope that only says which rows its statements read. */
  reads: TablesRead | undefined;
  /** Which rows of a table the statements of this scope read (`runReadingRows`). */
  rows?: RowsRead;
  /** The scope this one runs within: a subgraph's read of a peer, within a fetch of the gateway's. */
  outer: ReadsScope | undefined;
}

/**
 * Runs `work` (and every async continuation it starts) noting the tables its statements name in
 * `reads` as well as in its request's and in those of the reads it runs within: one subgraph
 * fetch of a request, or one read of a peer by a subgraph, which the gateway's fetch cache
 * keeps with the tables it was read from.
 */
export function runNotingReads<T>(reads: TablesRead, work: () => T): T {
  const frame = frames.getStore();
  return frames.run({ ...frame, scope: { reads, outer: frame?.scope } }, work);
}

/** The reads of the fetch this code runs for and of each it runs within, innermost first; none when nothing asked to know. */
export function currentFetchReads(): TablesRead[] {
  const all: TablesRead[] = [];
  for (let scope = frames.getStore()?.scope; scope; scope = scope.outer) if (scope.reads) all.push(scope.reads);
  return all;
}

/**
 * Runs `work`, whose first statement reads of `rows.table` only the rows of `rows.keys`: a kept
 * answer read from them is current while none of those keys is written, whatever is written
 * to the table's other rows (docs/decisions/0042-keyed-versions.md). The statement's other
 * tables, and every table any later statement of the scope names (a batch another load began
 * within it, say), are noted as read whole.
 */
export function runReadingRows<T>(rows: RowsRead, work: () => T): T {
  const frame = frames.getStore();
  return frames.run({ ...frame, scope: { reads: undefined, rows, outer: frame?.scope } }, work);
}

/** The rows the statement about to be sent reads, when the code sending it said so (`runReadingRows`). */
export function currentRowsRead(): RowsRead | undefined {
  return frames.getStore()?.scope?.rows;
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
