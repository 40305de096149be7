import type { DataVersions } from '@hub/db';

/**
 * The versions of the subgraphs' tables as one gateway request saw them: read once, the first
 * time a cache asks, and shared by the response cache and the fetch cache. Every statement the
 * request sends after they were read sees data at least that new.
 */
export class RequestVersions {
  /** Each request's versions, and once they are read, when (`nextEvent`). */
  private readonly read = new WeakMap<object, { versions: Promise<DataVersions>; readAt?: number }>();

  constructor(
    /** The versions of every database the subgraphs read from, read fresh. */
    private readonly readVersions: () => Promise<DataVersions>,
  ) {}

  /** The versions for the request under `deadline` (one per gateway request); the first call reads them. */
  of(deadline: object): Promise<DataVersions> {
    let read = this.read.get(deadline);
    if (!read) {
      const versions = this.readVersions();
      const started: { versions: Promise<DataVersions>; readAt?: number } = { versions };
      versions.then(() => (started.readAt = nextEvent())).catch(() => {});
      // A failed read is not kept: the next asking of the request reads again.
      versions.catch(() => this.read.delete(deadline));
      this.read.set(deadline, started);
      read = started;
    }
    return read.versions;
  }

  /** Whether the request's versions have been read: a statement it sends from now on is newer. */
  readFor(deadline: object): boolean {
    return this.read.get(deadline)?.readAt !== undefined;
  }

  /** Whether the request's versions were read before `event` (`nextEvent`): what was read after it is at least as new. */
  readBefore(deadline: object, event: number): boolean {
    const readAt = this.read.get(deadline)?.readAt;
    return readAt !== undefined && readAt < event;
  }
}

let events = 0;

/** The next of the process's events whose order the caches compare: versions read, a shared fetch begun. */
export function nextEvent(): number {
  events += 1;
  return events;
}
