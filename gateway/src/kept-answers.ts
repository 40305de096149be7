import { createHash } from 'node:crypto';
import { currentDeadline, currentFetchReads, noteRowsRead, noteTableRead, type DataVersions, type TablesRead } from '@hub/db';

/**
 * What a cache keeps, by key: at most `maxEntries` and `maxChars` of them (their size as JSON
 * text), the least recently used dropped first, none larger than an eighth of the size limit
 * (one large answer would push out hundreds of small ones). A key is kept only the second time
 * it is asked lately, not the first: a stream of questions each asked once (a crawl through
 * every project) would otherwise push out what is asked again and again.
 */
export class KeptAnswers<Entry> {
  private readonly entries = new Map<string, Entry>();
  /** Keys asked once lately and not kept: asked again, their answer is kept. The oldest first. */
  private readonly askedOnce = new Set<string>();
  /** The size of the answers kept, as JSON text. */
  private keptChars = 0;

  constructor(
    private readonly limits: { maxEntries: number; maxChars: number },
    /** An entry's size as JSON text. */
    private readonly charsOf: (entry: Entry) => number,
  ) {}

  /** The entry kept under `key`, marked the most recently used. */
  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Keeps an entry as the most recently used, then drops the least recently used until within both limits. */
  keep(key: string, entry: Entry): void {
    this.drop(key);
    const chars = this.charsOf(entry);
    if (chars > this.limits.maxChars / 8) return;
    this.entries.set(key, entry);
    this.keptChars += chars;
    while (this.entries.size > this.limits.maxEntries || this.keptChars > this.limits.maxChars) {
      this.drop(this.entries.keys().next().value as string);
    }
  }

  /** True the first time `key` is asked lately (and notes it); false when it was asked before. */
  firstAsking(key: string): boolean {
    if (this.askedOnce.delete(key)) return false;
    this.askedOnce.add(key);
    if (this.askedOnce.size > this.limits.maxEntries * ASKED_ONCE_PER_ENTRY) this.askedOnce.delete(this.askedOnce.values().next().value as string);
    return true;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.keptChars -= this.charsOf(entry);
  }
}

/** How many keys asked once are remembered, per answer kept: keys are small, answers are not. */
const ASKED_ONCE_PER_ENTRY = 4;

/**
 * A table an answer was read from, at the version the request read before the answer was made:
 * as a whole, or (with a column and keys) only the rows of those keys.
 */
export type ReadFrom = readonly [table: string, version: string] | readonly [table: string, version: string, column: string, keys: readonly string[]];

/** What `reads` read, at `versions`. */
export function readFromOf(reads: TablesRead, versions: DataVersions): ReadFrom[] {
  const readFrom: ReadFrom[] = [...reads.tables].map((table) => [table, versions.get(table)]);
  for (const [table, { column, keys }] of reads.rows) readFrom.push([table, versions.get(table), column, [...keys]]);
  return readFrom;
}

/** Whether every table an answer was read from is at the version it was read at, or none of the rows it read was written since. */
export function stillCurrent(readFrom: readonly ReadFrom[], versions: DataVersions): boolean {
  return readFrom.every(([table, version, column, keys]) =>
    column === undefined ? versions.get(table) === version : versions.rowsCurrent(table, version, column, keys!),
  );
}

/** Notes what a kept answer was read from, given again, as read by the request and by each fetch it is given within. */
export function noteReadInScopes(readFrom: readonly ReadFrom[]): void {
  for (const reads of [currentDeadline()?.reads, ...currentFetchReads()]) if (reads) noteReadFrom(reads, readFrom);
}

/** Notes in `reads` what a kept answer was read from, given again within them. */
export function noteReadFrom(reads: TablesRead, readFrom: readonly ReadFrom[]): void {
  for (const [table, , column, keys] of readFrom) {
    if (column === undefined) noteTableRead(reads, table);
    else noteRowsRead(reads, table, column, keys!);
  }
}

/**
 * A key: a digest of its parts, not their text — variables may be large (a fetch's
 * representations), and keys are kept by the thousand. A fetch's variables go in as their own
 * digest (`digestOfVariables`), made once for the layers that each key the fetch.
 */
export function keyOf(parts: readonly unknown[], variablesDigest = ''): string {
  return createHash('sha256').update(JSON.stringify(parts)).update(variablesDigest).digest('base64');
}

const variablesDigests = new WeakMap<object, string>();

/**
 * The digest of a fetch's variables as JSON text, made once per variables object: the funnel's
 * hold the ids of ten thousand projects, and both the fetch cache and the joining of reads in
 * flight key each fetch. The gateway makes each fetch's variables anew and nothing changes them
 * once sent.
 */
export function digestOfVariables(variables: Record<string, unknown> | null | undefined): string {
  if (!variables) return 'null';
  let digest = variablesDigests.get(variables);
  if (digest === undefined) variablesDigests.set(variables, (digest = createHash('sha256').update(JSON.stringify(variables)).digest('base64')));
  return digest;
}
