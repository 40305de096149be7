import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where `npm start` runs. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resolves with the GraphQL URL from the "ready at" line; rejects if the process ends first. */
  ready(timeoutMs?: number): Promise<string>;
}

/**
 * Starts an entry point (`gateway/src/main.ts`, `subgraphs/<name>/src/main.ts`, a CLI) as its
 * own Node process through tsx, with `env` added to this one's; or, given a compiled entry
 * (`dist/gateway.js`, a bundle of the build), the way `npm start` runs it: through scripts/start.mjs.
 * One process, no wrapper, so that its pid is the one that holds locks and gets signals.
 */
export function spawnHubProcess(entry: string, env: Record<string, string>, args: string[] = []): HubProcess {
  const compiled = entry.startsWith('dist/');
  const runner = compiled ? ['--conditions=hub-compiled', 'scripts/start.mjs'] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...runner, entry, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    pid: child.pid as number,
    output: () => output,
    exited,
    async ready(timeoutMs = 90_000) {
      const started = Date.now();
      let ended = false;
      void exited.then(() => (ended = true));
      while (Date.now() - started < timeoutMs) {
        const match = /ready at (http:\/\/\S+\/graphql)/.exec(output);
        if (match) return match[1] as string;
        if (ended) throw new Error(`${entry} ended before it was ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill('SIGKILL');
      throw new Error(`${entry} was not ready within ${timeoutMs} ms:\n${output}`);
    },
  };
}
