import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRETS } from '@hub/server';
import { mintToken } from '@hub/gateway';
import { spawnHubProcess, type HubProcess } from '@hub/testkit';

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
  const folder = mkdtempSync(join(tmpdir(), 'hub-data-'));
  folders.push(folder);
  return join(folder, 'data');
}

function startHubProcess(env: Record<string, string>, entry = 'gateway/src/main.ts'): HubProcess {
  const hub = spawnHubProcess(entry, { PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', ...env });
  started.push(hub);
  return hub;
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
