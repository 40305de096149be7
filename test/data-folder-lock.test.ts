import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRETS } from '@hub/server';
import { mintToken } from '@hub/gateway';
import { REPOSITORY_ROOT, spawnHubProcess, temporaryDataRoot, type HubProcess } from '@hub/testkit';

/**
 * The embedded database may be opened by one process only. These tests start real hub
 * processes, as `npm start` does, on one data folder.
 */
const started: HubProcess[] = [];
const folders: string[] = [];

afterAll(() => {
  for (const hub of started) hub.child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function freshFolder(): string {
  const folder = temporaryDataRoot('hub-data-');
  folders.push(folder);
  return join(folder, 'data');
}

function startHubProcess(env: Record<string, string>, entry = 'gateway/src/main.ts'): HubProcess {
  const hub = spawnHubProcess(entry, { PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', ...env });
  started.push(hub);
  return hub;
}

/** A heartbeat older than this lets a lock from another pid namespace be taken over; short here, 15 s by default. */
const STALE_MS = 3_000;

/** `unshare -fp --mount-proc` as root: a pid namespace of its own, as a container has. */
const canUnshare = spawnSync('unshare', ['-fp', '--mount-proc', '--kill-child', 'true']).status === 0;

/**
 * The hub as the first process of a new pid namespace, where its pid is small and names
 * another process (or none) on the host. --kill-child: killing unshare kills the hub.
 */
function startHubInOwnPidNamespace(env: Record<string, string>): HubProcess {
  const child = spawn('unshare', ['-fp', '--mount-proc', '--kill-child', process.execPath, '--import', 'tsx', 'gateway/src/main.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let ended = false;
  void exited.then(() => (ended = true));
  const hub: HubProcess = {
    child,
    pid: child.pid as number,
    output: () => output,
    exited,
    async ready(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const match = /ready at (http:\/\/\S+\/graphql)/.exec(output);
        if (match) return match[1] as string;
        if (ended) throw new Error(`the hub ended before it was ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the hub was not ready within ${timeoutMs} ms:\n${output}`);
    },
  };
  started.push(hub);
  return hub;
}

/** The exit code of a start that must stop; one still running after a minute has opened the folder. */
function stopped(hub: HubProcess): Promise<number | string> {
  return Promise.race([hub.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
}

function readLock(dataDir: string): { pid: number; pidNamespace: string | null; host: string } {
  return JSON.parse(readFileSync(join(dataDir, '.hub.lock'), 'utf8'));
}

/** Sets a lock's mtime back, as if its holder had stopped beating `ms` ago. */
function ageLock(dataDir: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  utimesSync(join(dataDir, '.hub.lock'), then, then);
}

const officeToken = () =>
  mintToken({
    secret: DEVELOPMENT_SECRETS.jwt,
    issuer: 'su-shaan-hub',
    audience: 'su-shaan-hub',
    role: 'SHAANXI_OFFICE',
    subject: 'lock-test-office',
    expiresIn: '10m',
  });

async function raiseNeed(url: string, title: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await officeToken()}` },
    body: JSON.stringify({
      query: 'mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id titleZh } }',
      variables: { input: { countyCode: '610924', titleZh: title, field: 'LIVELIHOOD' } },
    }),
  });
  return { status: response.status, body: await response.json() };
}

async function needTitles(url: string): Promise<string[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await officeToken()}` },
    body: JSON.stringify({ query: '{ projectNeeds(filter: { countyCode: "610924" }, first: 100) { nodes { titleZh } } }' }),
  });
  const body = (await response.json()) as any;
  expect(body.errors).toBeUndefined();
  return body.data.projectNeeds.nodes.map((node: { titleZh: string }) => node.titleZh);
}

describe('one process per embedded data folder', () => {
  it('refuses a second hub on the same folder, naming the folder and the holder, while the first keeps serving and keeps its writes', async () => {
    const dataDir = freshFolder();
    const first = startHubProcess({ DATA_DIR: dataDir });
    const url = await first.ready();
    expect((await raiseNeed(url, '锁前写入')).status).toBe(200);

    const second = startHubProcess({ DATA_DIR: dataDir });
    // It stops at once; one still running after a minute has opened the folder.
    expect(await Promise.race([second.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 60_000))])).toBe(1);
    expect(second.output()).toContain(`The data folder ${dataDir} is in use by process ${first.pid}`);
    expect(second.output()).not.toContain('ready at');

    // The first still answers, and what it writes now is kept.
    const after = await raiseNeed(url, '锁后写入');
    expect(after.status).toBe(200);
    expect(after.body.data.raiseProjectNeed.titleZh).toBe('锁后写入');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const again = startHubProcess({ DATA_DIR: dataDir });
    const titles = await needTitles(await again.ready());
    expect(titles).toEqual(expect.arrayContaining(['锁前写入', '锁后写入']));
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 240_000);

  it('takes over the lock left by a hub killed with SIGKILL', async () => {
    const dataDir = freshFolder();
    const killed = startHubProcess({ DATA_DIR: dataDir });
    await killed.ready();
    killed.child.kill('SIGKILL');
    await killed.exited;
    // The lock is still there, naming a process that is gone.
    const lock = JSON.parse(readFileSync(join(dataDir, '.hub.lock'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(killed.pid);

    const next = startHubProcess({ DATA_DIR: dataDir });
    const url = await next.ready();
    expect((await raiseNeed(url, '接管后写入')).status).toBe(200);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 240_000);

  it('stops on a port in use before it creates or opens the data folder', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const dataDir = freshFolder();
      const hub = startHubProcess({ DATA_DIR: dataDir, PORT: String(port) });
      expect(await hub.exited).toBe(1);
      expect(hub.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      taken.close();
    }
  }, 120_000);

  it('refuses a second subgraph service on the same folder as well', async () => {
    const dataDir = freshFolder();
    const first = startHubProcess({ DATA_DIR: dataDir }, 'subgraphs/shaanxi/src/main.ts');
    await first.ready();
    const second = startHubProcess({ DATA_DIR: dataDir }, 'subgraphs/shaanxi/src/main.ts');
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`The data folder ${join(dataDir, 'shaanxi')} is in use by process ${first.pid}`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 240_000);
});

describe('the data-folder lock across pid namespaces, containers and hosts', () => {
  it.skipIf(!canUnshare)(
    'refuses a hub on the folder of a live hub in another pid namespace, and takes it over once that hub is killed and its heartbeat is old',
    async () => {
      const dataDir = freshFolder();
      const shared = { DATA_DIR: dataDir, DATA_DIR_LOCK_STALE_MS: String(STALE_MS) };
      const inner = startHubInOwnPidNamespace(shared);
      const innerUrl = await inner.ready();
      const lock = readLock(dataDir);
      // Its pid is the namespace's own, small, and not the pid this side sees.
      expect(lock.pid).not.toBe(inner.pid);
      expect(lock.pidNamespace).not.toBe(readlinkSync('/proc/self/ns/pid'));

      // Longer than the stale time: only the heartbeat keeps the lock fresh.
      await new Promise((resolve) => setTimeout(resolve, STALE_MS + 1_000));
      const outside = startHubProcess(shared);
      expect(await stopped(outside)).toBe(1);
      expect(outside.output()).toContain(`The data folder ${dataDir} is in use by process ${lock.pid}`);
      expect(outside.output()).toContain(`pid namespace ${lock.pidNamespace} on ${lock.host}`);
      expect(outside.output()).not.toContain('ready at');

      const titles = Array.from({ length: 20 }, (_, index) => `命名空间写入${index}`);
      for (const title of titles) expect((await raiseNeed(innerUrl, title)).status).toBe(200);

      inner.child.kill('SIGKILL');
      await inner.exited;
      // The lock stays, naming a process nobody outside that namespace can judge by pid.
      expect(readLock(dataDir).pid).toBe(lock.pid);
      while (Date.now() - statSync(join(dataDir, '.hub.lock')).mtimeMs <= STALE_MS) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const next = startHubProcess(shared);
      expect(await needTitles(await next.ready())).toEqual(expect.arrayContaining(titles));
      next.child.kill('SIGTERM');
      expect(await next.exited).toBe(0);
    },
    240_000,
  );

  it('answers a directory or a forged lock at the lock path with a clear message, and takes it over once it is old', async () => {
    const dataDir = freshFolder();
    // Long enough that the fresh lock cannot turn old while a slow machine starts the hub.
    const staleMs = 60_000;
    const env = { DATA_DIR: dataDir, DATA_DIR_LOCK_STALE_MS: String(staleMs) };
    const lockPath = join(dataDir, '.hub.lock');
    mkdirSync(lockPath, { recursive: true });
    const onDirectory = startHubProcess(env);
    expect(await stopped(onDirectory)).toBe(1);
    expect(onDirectory.output()).toContain(`has a lock, ${lockPath}, that cannot be read (a directory;`);
    expect(onDirectory.output()).not.toContain('EISDIR');

    rmSync(lockPath, { recursive: true });
    writeFileSync(lockPath, JSON.stringify({ pid: 1 }));
    const onForged = startHubProcess(env);
    expect(await stopped(onForged)).toBe(1);
    expect(onForged.output()).toContain(`has a lock, ${lockPath}, that cannot be read (not a lock this hub writes;`);
    expect(onForged.output()).toContain('remove it and start again');

    ageLock(dataDir, staleMs + 1_000);
    const next = startHubProcess(env);
    expect((await raiseNeed(await next.ready(), '伪造锁后写入')).status).toBe(200);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 240_000);

  it('lets exactly one of two hubs started together on a stale lock open the folder', async () => {
    const dataDir = freshFolder();
    mkdirSync(dataDir, { recursive: true });
    const killed = startHubProcess({ DATA_DIR: dataDir });
    await killed.ready();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(readLock(dataDir).pid).toBe(killed.pid);

    const hubs = [startHubProcess({ DATA_DIR: dataDir }), startHubProcess({ DATA_DIR: dataDir })];
    const outcomes = await Promise.all(hubs.map((hub) => hub.ready().then(() => 'served', () => 'refused')));
    expect([...outcomes].sort()).toEqual(['refused', 'served']);
    const winner = hubs[outcomes.indexOf('served')]!;
    const loser = hubs[outcomes.indexOf('refused')]!;
    expect(await loser.exited).toBe(1);
    expect(loser.output()).toContain(`The data folder ${dataDir} is in use by process ${winner.pid}`);
    expect(readLock(dataDir).pid).toBe(winner.pid);
    winner.child.kill('SIGTERM');
    expect(await winner.exited).toBe(0);
  }, 240_000);
});
