import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  /** Resolves with the URL from the "ready at" line; rejects if the process ends first. */
  ready(timeoutMs: number): Promise<string>;
  /** Resident set size now, in bytes (Linux), or null once it has ended. */
  rss(): number | null;
  stop(): Promise<void>;
}

const running = new Set<BenchProcess>();

/**
 * Starts `entry` as its own Node process through tsx (as `npm start` does: one process, no
 * npm wrapper), so that its pid is the one measured and signalled. Every process started here
 * is stopped by `stopAll`, which the bench calls on exit, Ctrl-C and failure.
 */
export function startProcess(name: string, entry: string, env: Record<string, string>): BenchProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    // Only the start matters for "ready at" and for failures; do not grow without end.
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const handle: BenchProcess = {
    name,
    child,
    output: () => output,
    exited,
    async ready(timeoutMs) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const match = /ready at (http:\/\/\S+\/graphql)/.exec(output);
        if (match) return match[1] as string;
        if (ended) throw new Error(`${name} ended before it was ready:\n${output.slice(-4000)}`);
        await sleep(100);
      }
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    },
    rss() {
      if (ended || child.pid === undefined) return null;
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
        return kib ? Number(kib) * 1024 : null;
      } catch {
        return null;
      }
    },
    async stop() {
      if (!ended) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/** Stops every process still running, all at once (each drains on SIGTERM). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((process) => process.stop()));
}

/** Kills every process still running at once: the bench's own exit, when nothing can wait. */
export function killAll(): void {
  for (const process of running) process.child.kill('SIGKILL');
}

/** A port free on 127.0.0.1 now (the system picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
