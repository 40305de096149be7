import { createHash } from 'node:crypto';
import type { DataVersions } from '@hub/db';

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

/** Whether every table an answer was read from is at the version it was read at. */
export function stillCurrent(readFrom: readonly (readonly [table: string, version: string])[], versions: DataVersions): boolean {
  return readFrom.every(([table, version]) => (versions.get(table) ?? '0') === version);
}

/** A key: a digest of its parts, not their text — variables may be large (a fetch's representations), and keys are kept by the thousand. */
export function keyOf(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64');
}
