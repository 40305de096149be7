import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from './data-dir-lock.ts';

/**
 * The data-folder lock judged from this process's point of view: a lock from this pid
 * namespace and boot by its pid, any other by its heartbeat; anything unreadable by its age.
 */
const STALE_MS = 1_500;
const LOCK_MODULE = fileURLToPath(new URL('./data-dir-lock.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hub-lock-unit-'));
let previousStale: string | undefined;

beforeAll(() => {
  previousStale = process.env.DATA_DIR_LOCK_STALE_MS;
  process.env.DATA_DIR_LOCK_STALE_MS = String(STALE_MS);
});
afterAll(() => {
  if (previousStale === undefined) delete process.env.DATA_DIR_LOCK_STALE_MS;
  else process.env.DATA_DIR_LOCK_STALE_MS = previousStale;
  rmSync(root, { recursive: true, force: true });
});

const folder = () => join(root, randomUUID());
const ownNamespace = readlinkSync('/proc/self/ns/pid');
const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

function forgeLock(dataDir: string, fields: Record<string, unknown>, ageMs = 0): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  writeFileSync(path, JSON.stringify(fields));
  age(path, ageMs);
  return path;
}

function age(path: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
}

/** A lock as a hub in another container (same pid, other namespace) writes it. */
const otherNamespaceLock = () => ({
  pid: process.pid,
  processStart: '4242',
  pidNamespace: 'pid:[4026530001]',
  bootId,
  host: 'container-b',
  startedAt: '2026-01-01T00:00:00.000Z',
  token: randomUUID(),
});

function refusal(dataDir: string): string {
  try {
    lockDataDir(dataDir).release();
  } catch (error) {
    expect(error).toBeInstanceOf(DataDirLockedError);
    return (error as Error).message;
  }
  throw new Error('the lock was taken');
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe('the data-folder lock', () => {
  it('records where its pid means this process: pid, start time, pid namespace, boot id and host', () => {
    const dataDir = folder();
    const lock = lockDataDir(dataDir);
    try {
      const written = JSON.parse(readFileSync(lock.path, 'utf8'));
      expect(written).toMatchObject({ pid: process.pid, pidNamespace: ownNamespace, bootId, host: hostname() });
      expect(written.processStart).toMatch(/^\d+$/);
    } finally {
      lock.release();
    }
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('keeps its heartbeat while the main thread is blocked', () => {
    const lock = lockDataDir(folder());
    try {
      const before = statSync(lock.path).mtimeMs;
      // Blocked as PGlite blocks it in WebAssembly: no timer of this thread can fire.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALE_MS * 2);
      expect(statSync(lock.path).mtimeMs).toBeGreaterThan(before + STALE_MS);
    } finally {
      lock.release();
    }
  });

  it('refuses a lock from another pid namespace while its heartbeat is fresh, even when its pid is alive here as another process', () => {
    const dataDir = folder();
    forgeLock(dataDir, otherNamespaceLock());
    const message = refusal(dataDir);
    expect(message).toContain(`The data folder ${dataDir} is in use by process ${process.pid}`);
    expect(message).toContain('pid namespace pid:[4026530001] on container-b');
    expect(message).toContain('stop that process');
  });

  it('takes over a lock from another pid namespace whose heartbeat is older than the stale time', () => {
    const dataDir = folder();
    forgeLock(dataDir, otherNamespaceLock(), STALE_MS + 500);
    const lock = lockDataDir(dataDir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pidNamespace).toBe(ownNamespace);
    lock.release();
  });

  it('takes over at once a fresh lock from this namespace whose pid is gone, or is another process now', async () => {
    const gone = folder();
    forgeLock(gone, { ...otherNamespaceLock(), pid: await deadPid(), pidNamespace: ownNamespace });
    lockDataDir(gone).release();

    // The parent of this process is alive, but started at another time than the lock says.
    const recycled = folder();
    forgeLock(recycled, { ...otherNamespaceLock(), pid: process.ppid, pidNamespace: ownNamespace, processStart: '1' });
    lockDataDir(recycled).release();
  });

  it('refuses a fresh lock from this namespace whose holder is alive', () => {
    const dataDir = folder();
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const processStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    forgeLock(dataDir, { ...otherNamespaceLock(), pid: process.ppid, pidNamespace: ownNamespace, processStart }, STALE_MS * 10);
    // However old its mtime: in this namespace the process table decides.
    expect(refusal(dataDir)).toContain(`is in use by process ${process.ppid}`);
  });

  it('answers a directory, garbage or a lock with missing fields with a clear message, and takes it over once it is old', () => {
    const cases: Array<[string, (path: string) => void]> = [
      ['a directory', (path) => mkdirSync(path)],
      ['not a lock this hub writes', (path) => writeFileSync(path, JSON.stringify({ pid: 1 }))],
      ['not a lock this hub writes', (path) => writeFileSync(path, '\u0000garbage')],
      ['empty', (path) => writeFileSync(path, '')],
    ];
    for (const [what, make] of cases) {
      const dataDir = folder();
      mkdirSync(dataDir, { recursive: true });
      const path = join(dataDir, LOCK_FILE);
      make(path);
      const message = refusal(dataDir);
      expect(message).toContain(`has a lock, ${path}, that cannot be read (${what};`);
      expect(message).toContain('remove it and start again');
      age(path, STALE_MS + 500);
      const lock = lockDataDir(dataDir);
      expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
      lock.release();
    }
  });

  it('clears a takeover mark left by a starter killed while taking over, once the mark is old', () => {
    const dataDir = folder();
    const path = forgeLock(dataDir, otherNamespaceLock(), STALE_MS + 500);
    writeFileSync(`${path}.takeover`, '');
    age(`${path}.takeover`, STALE_MS + 500);
    const lock = lockDataDir(dataDir);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    expect(existsSync(`${path}.takeover`)).toBe(false);
    lock.release();
  });

  it('never shows a rival a lock that is still being written', async () => {
    const dataDir = folder();
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, LOCK_FILE);
    // Another thread reads the lock path as fast as it can while this one takes and releases
    // the lock again and again: every lock it finds must already say who holds it.
    const watcher = new Worker(
      `const { readFileSync } = require('node:fs');
       const { parentPort, workerData } = require('node:worker_threads');
       let empty = 0, seen = 0, stop = false;
       parentPort.on('message', () => { stop = true; });
       const poll = () => {
         for (let i = 0; i < 20000; i += 1) {
           try { const text = readFileSync(workerData, 'utf8'); seen += 1; if (text.trim() === '') empty += 1; } catch {}
         }
         if (stop) parentPort.postMessage({ empty, seen }); else setImmediate(poll);
       };
       poll();`,
      { eval: true, workerData: path },
    );
    for (let round = 0; round < 300; round += 1) lockDataDir(dataDir).release();
    const result = await new Promise<{ empty: number; seen: number }>((resolve) => {
      watcher.once('message', resolve);
      watcher.postMessage('stop');
    });
    await watcher.terminate();
    expect(result.seen).toBeGreaterThan(0);
    expect(result.empty).toBe(0);
  });

  it('lets exactly one of several processes racing on a stale lock take it', async () => {
    const script = join(root, 'racer.mjs');
    // Each racer judges the stale lock, then waits until every racer has judged it before it
    // moves it aside: all are past the check before any takes over. A winner holds on a while.
    writeFileSync(
      script,
      `import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir, takeoverHooks } from ${JSON.stringify(LOCK_MODULE)};
const [dataDir, barrier, racers] = process.argv.slice(2);
let waited = false;
takeoverHooks.afterJudgedStale = () => {
  if (waited) return;
  waited = true;
  writeFileSync(join(barrier, String(process.pid)), '');
  const until = Date.now() + 20000;
  while (readdirSync(barrier).length < Number(racers) && Date.now() < until);
};
try {
  const lock = lockDataDir(dataDir);
  console.log('won');
  setTimeout(() => lock.release(), 1500);
} catch (error) {
  console.log(error.name === 'DataDirLockedError' ? 'refused' : 'failed: ' + error.stack);
}
`,
    );
    for (let round = 0; round < 5; round += 1) {
      const dataDir = folder();
      forgeLock(dataDir, otherNamespaceLock(), STALE_MS + 500);
      const barrier = join(root, randomUUID());
      mkdirSync(barrier);
      const outcomes = await Promise.all(
        Array.from({ length: 4 }, () => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, barrier, '4'], {
            env: { ...process.env, DATA_DIR_LOCK_STALE_MS: String(STALE_MS) },
          });
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
          child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
          return new Promise<string>((resolve) => child.once('exit', () => resolve(output.trim())));
        }),
      );
      expect(outcomes.sort()).toEqual(['refused', 'refused', 'refused', 'won']);
      // All four were held past the check: the race was run, not avoided.
      expect(readdirSync(barrier)).toHaveLength(4);
    }
  }, 120_000);
});
