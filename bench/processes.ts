import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
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

/** `gateway/src/main.ts` → `gateway`, `subgraphs/<name>/src/main.ts` → `<name>`: the name of the bundle the build makes of an entry point. */
function bundleName(entry: string): string {
  const name = entry === 'gateway/src/main.ts' ? 'gateway' : /^subgraphs\/(\w+)\/src\/main\.ts$/.exec(entry)?.[1];
  if (!name) throw new Error(`${entry} is not an entry point the build bundles`);
  return name;
}

/**
 * The Node flags an entry point's start script gives it (`npm start` the gateway, `npm run
 * start:<name>` a subgraph service), read from package.json — `exec node <flags>
 * scripts/start.mjs dist/<name>.js` — so that the bench runs the build as users start it:
 * `--conditions=hub-compiled`, and the gateway's young generation (docs/decisions/0048-young-generation.md).
 */
function startFlags(name: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = (scripts[name === 'gateway' ? 'start' : `start:${name}`] ?? '').split(/\s+/);
  const [node, start] = [words.indexOf('node'), words.indexOf('scripts/start.mjs')];
  if (node < 0 || start < node) throw new Error(`package.json has no start script for ${name} of the form "exec node <flags> scripts/start.mjs dist/${name}.js"`);
  return words.slice(node + 1, start);
}

/** Builds the hub as `npm start` does, when its sources changed since the last build. */
export function ensureBuilt(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: REPOSITORY_ROOT, stdio: 'inherit' });
}

/**
 * Starts `entry` as its own Node process, as `npm start` does — one process, no npm wrapper,
 * so that its pid is the one measured and signalled: the hub's entry points (a source path)
 * compiled, the bench's own (the peers' gateways, under bench/) through tsx. Every process
 * started here is stopped by `stopAll`, which the bench calls on exit, Ctrl-C and failure.
 * `nodeOptions` go to Node before the entry (`--trace-gc`, a heap size to try).
 */
export function startProcess(name: string, entry: string, env: Record<string, string>, nodeOptions: readonly string[] = []): BenchProcess {
  // The flags given here after the start script's: the last of a flag given twice is the one Node keeps.
  const bundle = entry.startsWith('bench/') ? null : bundleName(entry);
  const command = bundle === null ? [...nodeOptions, '--import', 'tsx', entry] : [...startFlags(bundle), ...nodeOptions, `dist/${bundle}.js`];
  const child = spawn(process.execPath, command, {
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
      // The process and what it started (an embedded database server and its backends): PSS
      // shares each page among the processes that map it, so memory they share counts once.
      const sizes = [child.pid, ...descendantsOf(child.pid)].map((pid) => proportionalSetSize(pid));
      return sizes[0] === null ? null : sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
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

/** Kills every process still running at once, with what each started: the bench's own exit, when nothing can wait. */
export function killAll(): void {
  for (const process of running) {
    const pid = process.child.pid;
    if (pid === undefined) continue;
    for (const descendant of descendantsOf(pid)) {
      try {
        globalThis.process.kill(descendant, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    process.child.kill('SIGKILL');
  }
}

/** Every process below `pid` (Linux /proc), children before grandchildren. */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (command) state ppid ...": the command may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Ended while being read.
    }
  }
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0; ) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...frontier);
  }
  return found;
}

/** The proportional set size of one process (Linux), in bytes, or null once it has ended. */
export function proportionalSetSize(pid: number): number | null {
  try {
    const kib = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kib ? Number(kib) * 1024 : null;
  } catch {
    return null;
  }
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
