import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { databaseLog } from './process-log.ts';

/**
 * PGlite is Postgres in this process: two processes on one data folder each believe they own
 * it, and the folder is lost. A lock file, created exclusively (O_EXCL) before the database
 * is opened, makes the second process stop with a clear message.
 *
 * A pid means something only inside its pid namespace on one running kernel: pid 23 in a
 * container and pid 23 on the host are two processes. So the lock records where its pid lives
 * (pid namespace, boot id, host) and the holder keeps its mtime fresh (a heartbeat). A lock
 * found at start is judged by its pid and the pid's start time when it comes from this very
 * namespace and boot (a killed holder is taken over at once); from anywhere else only its
 * heartbeat can tell, and it is taken over once the heartbeat is older than the stale time.
 */
export const LOCK_FILE = '.hub.lock';

/** A heartbeat older than this marks a lock from another namespace or host as abandoned. */
export const DEFAULT_LOCK_STALE_MS = 15_000;

/** The stale time, for tests and slow shared volumes; every process on one folder must agree on it. */
const STALE_MS_VARIABLE = 'DATA_DIR_LOCK_STALE_MS';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    message: string,
  ) {
    super(message);
    this.name = 'DataDirLockedError';
  }
}

export interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks since boot (Linux), to tell a recycled pid apart. */
  processStart: string | null;
  /** `pid:[4026531836]` from /proc/self/ns/pid: the namespace in which `pid` means this process. */
  pidNamespace: string | null;
  /** The kernel's boot id: the same namespace id after a reboot, or on another machine, is another namespace. */
  bootId: string | null;
  host: string;
  startedAt: string;
  /** Tells this lock from any other, even one with the same pid in another namespace. */
  token: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface Held {
  token: string;
  heartbeat: Worker;
}

/** Folders locked by this process, so that a second open in the same process is refused too. */
const heldHere = new Map<string, Held>();

// A process that exits without closing its database (process.exit on a fatal error) leaves no
// lock behind; one killed outright does, and the next start takes it over.
process.once('exit', () => {
  for (const [path, held] of heldHere) {
    try {
      if (readLock(path).holder?.token === held.token) rmSync(path);
    } catch {
      // Nothing more can be done while exiting.
    }
  }
});

export function lockDataDir(dataDir: string): DataDirLock {
  const staleMs = lockStaleMs();
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const me = ownHolder();
  if (heldHere.has(path)) throw new DataDirLockedError(dataDir, heldMessage(dataDir, me));
  // Bounded in time, not in tries: starters waiting on another's takeover look again and again,
  // long enough for a takeover mark left by a killed starter to turn old and be cleared.
  const giveUpAt = Date.now() + staleMs + 5_000;
  while (Date.now() < giveUpAt) {
    if (createLock(path, me)) {
      const heartbeat = startHeartbeat(path, me.token, heartbeatMs(staleMs));
      heldHere.set(path, { token: me.token, heartbeat });
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          void heartbeat.terminate();
          // Only our own lock is removed: a lock someone else took over stays theirs.
          if (readLock(path).holder?.token === me.token) rmSync(path);
        },
      };
    }
    const found = readLock(path);
    if (found.kind === 'gone') continue;
    const verdict = judge(found, me, staleMs);
    if (verdict !== 'stale') throw new DataDirLockedError(dataDir, refusalMessage(dataDir, found, verdict, staleMs));
    takeoverHooks.afterJudgedStale?.();
    if (!takeOverStale(path, found, staleMs)) pause(10);
  }
  throw new DataDirLockedError(dataDir, `Could not take the lock ${path}: other starts kept it busy for ${(staleMs + 5_000) / 1000} s. Start again.`);
}

/**
 * Runs between judging a lock stale and removing it, where two starters race: tests hold
 * every racer there until all have judged, so that the takeover itself decides the race.
 */
export const takeoverHooks: { afterJudgedStale?: () => void } = {};

/**
 * Puts a whole new lock at the path, or returns false when a lock (or anything else) is already
 * there. The lock is written to a file of its own first and then linked into place, which is
 * atomic and fails if the path is taken: a rival never finds a lock that is still empty.
 */
function createLock(path: string, me: LockHolder): boolean {
  const draft = `${path}.new-${process.pid}-${me.token}`;
  const fd = openSync(draft, 'wx', 0o644);
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: create the lock in place (a rival may then see it
    // empty for an instant, and is refused as by an unreadable lock).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return createInPlace(path, me);
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function createInPlace(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** What was found at the lock path, with what identifies that very file for the takeover. */
type Found =
  | { kind: 'gone'; holder: null }
  | { kind: 'lock'; holder: LockHolder; ino: number; mtimeMs: number }
  | { kind: 'unreadable'; holder: null; what: string; ino: number; mtimeMs: number };

type Verdict = 'stale' | 'alive' | 'heartbeat' | 'unreadable';

/**
 * In this namespace on this boot the pid is the holder's pid, so the process table answers at
 * once. Anywhere else the pid names some other process, or none; only the heartbeat is evidence.
 */
function judge(found: Exclude<Found, { kind: 'gone' }>, me: LockHolder, staleMs: number): Verdict {
  const heartbeatAge = Date.now() - found.mtimeMs;
  if (found.kind === 'unreadable') return heartbeatAge > staleMs ? 'stale' : 'unreadable';
  const holder = found.holder;
  if (sameProcessTable(holder, me)) return pidAlive(holder) ? 'alive' : 'stale';
  return heartbeatAge > staleMs ? 'stale' : 'heartbeat';
}

function sameProcessTable(holder: LockHolder, me: LockHolder): boolean {
  return (
    me.pidNamespace !== null &&
    me.bootId !== null &&
    holder.processStart !== null &&
    holder.pidNamespace === me.pidNamespace &&
    holder.bootId === me.bootId
  );
}

function pidAlive(holder: LockHolder): boolean {
  // Our own pid, not held by this process: left by an earlier life of this pid (a restarted container).
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid alive now may be another process than the holder (a recycled pid): the start time tells them apart.
  return processStartOf(holder.pid) === holder.processStart;
}

/**
 * Removes a stale lock, one starter at a time. A starter removing the lock at the path may
 * remove the new lock a rival created a moment ago from the same verdict; so removal happens
 * only under the takeover mark (`.hub.lock.takeover`, created with O_EXCL), and only once the
 * file at the path is seen to be still the very one judged (same inode, same heartbeat, same
 * holder). Whoever then creates the lock first holds it; the others find it alive.
 * Returns false when another starter holds the mark: look again a moment later.
 */
function takeOverStale(path: string, judged: Exclude<Found, { kind: 'gone' }>, staleMs: number): boolean {
  const mark = `${path}.takeover`;
  try {
    closeSync(openSync(mark, 'wx', 0o644));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    clearAbandonedMark(mark, staleMs);
    return false;
  }
  try {
    const now = readLock(path);
    if (now.kind !== 'gone' && sameFile(now, judged)) rmSync(path, { recursive: true, force: true });
  } finally {
    rmSync(mark, { force: true });
  }
  return true;
}

function sameFile(a: Exclude<Found, { kind: 'gone' }>, b: Exclude<Found, { kind: 'gone' }>): boolean {
  return a.kind === b.kind && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.holder?.token === b.holder?.token;
}

/**
 * A mark is held for the moment of one removal; one older than the stale time was left by a
 * starter killed in that moment. It is moved aside (rename: of two clearing it, one moves it)
 * and, if what was moved is a newer mark, put back.
 */
function clearAbandonedMark(mark: string, staleMs: number): void {
  let judged;
  try {
    judged = lstatSync(mark);
  } catch {
    return;
  }
  if (Date.now() - judged.mtimeMs <= staleMs) return;
  const aside = `${mark}-${process.pid}-${randomUUID()}`;
  try {
    renameSync(mark, aside);
  } catch {
    return;
  }
  const moved = lstatSync(aside);
  if (moved.ino !== judged.ino || moved.mtimeMs !== judged.mtimeMs) {
    try {
      linkSync(aside, mark);
    } catch {
      // Another starter made a new mark meanwhile; it stands.
    }
  }
  rmSync(aside, { force: true });
}

function readLock(path: string): Found {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone', holder: null };
    throw error;
  }
  const unreadable = (what: string): Found => ({ kind: 'unreadable', holder: null, what, ino: stat.ino, mtimeMs: stat.mtimeMs });
  if (!stat.isFile()) return unreadable(stat.isDirectory() ? 'a directory' : 'not a regular file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone', holder: null };
    return unreadable(`unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const holder = parseHolder(text);
  // An empty or half-written lock is what a process killed between creating and writing it leaves.
  if (!holder) return unreadable(text.trim() === '' ? 'empty' : 'not a lock this hub writes');
  return { kind: 'lock', holder, ino: stat.ino, mtimeMs: stat.mtimeMs };
}

function parseHolder(text: string): LockHolder | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const lock = parsed as Record<string, unknown>;
  const textOrNull = (value: unknown) => typeof value === 'string' || value === null;
  const complete =
    Number.isSafeInteger(lock.pid) &&
    (lock.pid as number) > 0 &&
    textOrNull(lock.processStart) &&
    textOrNull(lock.pidNamespace) &&
    textOrNull(lock.bootId) &&
    typeof lock.host === 'string' &&
    typeof lock.startedAt === 'string' &&
    typeof lock.token === 'string';
  return complete ? (lock as unknown as LockHolder) : null;
}

function heldMessage(dataDir: string, holder: LockHolder): string {
  return `The data folder ${dataDir} is in use by process ${holder.pid} (this process): it is already open here.`;
}

function refusalMessage(dataDir: string, found: Exclude<Found, { kind: 'gone' }>, verdict: Verdict, staleMs: number): string {
  const path = join(dataDir, LOCK_FILE);
  const age = `${((Date.now() - found.mtimeMs) / 1000).toFixed(1)} s`;
  if (found.kind === 'unreadable') {
    return (
      `The data folder ${dataDir} has a lock, ${path}, that cannot be read (${found.what}; last changed ${age} ago). ` +
      `It is taken over once it is ${staleMs / 1000} s old; if no process uses the folder, remove it and start again.`
    );
  }
  const holder = found.holder;
  const where = `pid namespace ${holder.pidNamespace ?? 'unknown'} on ${holder.host}`;
  const named = `The data folder ${dataDir} is in use by process ${holder.pid} (started ${holder.startedAt}, ${where})`;
  if (verdict === 'heartbeat') {
    return (
      `${named}, which is not in this process's pid namespace, so it is judged by its heartbeat: ` +
      `last beat ${age} ago, alive until ${staleMs / 1000} s. ` +
      'One process at a time may open an embedded database: stop that process (its container or host), or give this one another DATA_DIR.'
    );
  }
  return `${named}. One process at a time may open an embedded database: stop that process, or give this one another DATA_DIR.`;
}

function ownHolder(): LockHolder {
  const procIsOurs = procShowsOwnNamespace();
  return {
    pid: process.pid,
    processStart: procIsOurs ? processStartOf(process.pid) : null,
    // /proc mounted for another pid namespace (unshare without --mount-proc) answers for other
    // processes than our pids name: then no pid in the lock may be judged from /proc.
    pidNamespace: procIsOurs ? readProc(() => readlinkSync('/proc/self/ns/pid')) : null,
    bootId: readProc(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    host: hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    token: randomUUID(),
  };
}

/** True when /proc/<our pid> is this process, so /proc can be asked about the pids we see. */
function procShowsOwnNamespace(): boolean {
  const stat = readProc(() => readFileSync('/proc/self/stat', 'utf8'));
  return stat !== null && Number(stat.slice(0, stat.indexOf(' '))) === process.pid;
}

function readProc(read: () => string): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat: the process's start time after boot. null where there is no /proc. */
function processStartOf(pid: number): string | null {
  const stat = readProc(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockStaleMs(): number {
  const raw = process.env[STALE_MS_VARIABLE];
  if (raw === undefined || raw === '') return DEFAULT_LOCK_STALE_MS;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1_000) {
    throw new DataDirLockedError('', `${STALE_MS_VARIABLE} must be a whole number of milliseconds, 1000 or more; got "${raw}".`);
  }
  return value;
}

/** Five beats within the stale time, so that a late beat or two is not taken for a dead holder. */
function heartbeatMs(staleMs: number): number {
  return Math.min(3_000, Math.floor(staleMs / 5));
}

/**
 * The heartbeat runs on a thread of its own: PGlite runs each statement to its end on the main
 * thread, in WebAssembly, for seconds at a time, and a timer there would not fire. The worker is
 * unref'd and dies with the process, so a killed holder's heartbeat stops with it. It touches
 * the lock only while the lock is still this process's (its token), never a successor's.
 */
function startHeartbeat(path: string, token: string, intervalMs: number): Worker {
  const worker = new Worker(HEARTBEAT_SOURCE, { eval: true, workerData: { path, token, intervalMs } });
  worker.unref();
  worker.on('error', (error) => databaseLog().error({ path, err: error }, `data-folder lock heartbeat for ${path} stopped: ${error.message}`));
  return worker;
}

// Plain JavaScript: the worker does not go through the TypeScript loader.
const HEARTBEAT_SOURCE = `
const { readFileSync, utimesSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const { path, token, intervalMs } = workerData;
setInterval(() => {
  try {
    if (JSON.parse(readFileSync(path, 'utf8')).token !== token) return;
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // Moved aside for a moment by a starter checking it, or removed on release.
  }
}, intervalMs);
`;
