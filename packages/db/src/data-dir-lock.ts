import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * PGlite is Postgres in this process: two processes on one data folder each believe they own
 * it, and the folder is lost. A lock file, created exclusively (O_EXCL) before the database
 * is opened, makes the second process stop with a clear message. A lock whose process is gone
 * (killed, crashed) is taken over: the holder is checked by pid and, on Linux, by the pid's
 * start time, so a recycled pid does not keep the folder locked.
 */
export const LOCK_FILE = '.hub.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data folder ${dataDir} is in use by process ${holder.pid} (started ${holder.startedAt} on ${holder.host}). ` +
        'One process at a time may open an embedded database: stop that process, or give this one another DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks since boot (Linux), to tell a recycled pid apart. */
  processStart: string | null;
  startedAt: string;
  host: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Folders locked by this process, so that a second open in the same process is refused too. */
const heldHere = new Set<string>();

// A process that exits without closing its database (process.exit on a fatal error) leaves no
// lock behind; one killed outright does, and the next start takes it over.
process.once('exit', () => {
  for (const path of heldHere) {
    try {
      if (readHolder(path)?.pid === process.pid) unlinkSync(path);
    } catch {
      // Nothing more can be done while exiting.
    }
  }
});

export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  if (heldHere.has(path)) throw new DataDirLockedError(dataDir, ownHolder());
  const me = ownHolder();
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      heldHere.add(path);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          // Only our own lock is removed: a lock someone else took over stays theirs.
          if (readHolder(path)?.pid === me.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    takeOverStale(path, holder);
  }
  throw new Error(`could not take the lock ${path}: other processes keep taking it`);
}

/**
 * Moves a stale lock aside. rename is atomic, so of two processes taking over the same stale
 * lock only one moves it; if what was moved turns out to be a live lock created in between,
 * it is put back (link fails rather than overwrite a newer one).
 */
function takeOverStale(path: string, judged: LockHolder | null): void {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  if (moved && isAlive(moved) && moved.pid !== judged?.pid) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process holds the lock now; it wins either way.
    }
  }
  unlinkSync(aside);
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (!Number.isInteger(parsed.pid)) return null;
    return {
      pid: parsed.pid as number,
      processStart: parsed.processStart ?? null,
      startedAt: parsed.startedAt ?? 'at an unknown time',
      host: parsed.host ?? 'an unknown host',
    };
  } catch {
    // Unreadable or half-written by a process that died while writing it.
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  if (holder.pid === process.pid) {
    // Our own pid, not held by this process: left by an earlier life of this pid (a restarted container).
    return false;
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid alive now may be another process than the holder (a recycled pid, another container
  // on the same volume): the start time, counted from the machine's boot, tells them apart.
  const start = processStartOf(holder.pid);
  return start === null || holder.processStart === null || start === holder.processStart;
}

function ownHolder(): LockHolder {
  return {
    pid: process.pid,
    processStart: processStartOf(process.pid),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    host: hostname(),
  };
}

/** Field 22 of /proc/<pid>/stat: the process's start time after boot. null where there is no /proc. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
