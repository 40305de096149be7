import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';

const folders: string[] = [];
const servers: EmbeddedPostgres[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A data folder under a fresh temporary folder; the cluster is `<data>/postgres`, as the hub puts it. */
function freshCluster(): string {
  const folder = mkdtempSync(join(tmpdir(), 'hub-embedded-'));
  // Under root the server runs as "postgres", which must pass through this folder.
  chmodSync(folder, 0o711);
  folders.push(folder);
  return join(folder, 'data', 'postgres');
}

async function started(clusterDir: string): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres(clusterDir);
  servers.push(server);
  return server;
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

function serverPid(clusterDir: string): number {
  return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function untilGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return !isAlive(pid);
}

describe('the embedded Postgres server', () => {
  it('creates its cluster on first start and keeps what was committed across a restart', async () => {
    const clusterDir = freshCluster();
    const first = await startEmbeddedPostgres(clusterDir);
    await query(first.url, "create table kept (id int primary key, name text); insert into kept values (1, '旬阳')");
    await first.stop();
    expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false);

    const again = await started(clusterDir);
    expect(await query(again.url, 'select id, name from kept')).toEqual([{ id: 1, name: '旬阳' }]);
    // Reached through a Unix socket only: no TCP port is open.
    expect(await query(again.url, 'show listen_addresses')).toEqual([{ listen_addresses: '' }]);
  });

  it('stops when the process that started it is killed outright', async () => {
    const clusterDir = freshCluster();
    // A process of its own starts the server, then is killed with SIGKILL: no code of its runs after.
    const starter = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `
        import { startEmbeddedPostgres } from ${JSON.stringify(new URL('./embedded-postgres.ts', import.meta.url).pathname)};
        await startEmbeddedPostgres(${JSON.stringify(clusterDir)});
        console.log('started');
        setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      starter.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
      starter.once('exit', (code) => reject(new Error(`the starter exited with ${code}`)));
    });
    const pid = serverPid(clusterDir);
    expect(isAlive(pid)).toBe(true);
    starter.kill('SIGKILL');
    expect(await untilGone(pid, 30_000)).toBe(true);

    const next = await started(clusterDir);
    expect(await query(next.url, 'select 1 as answer')).toEqual([{ answer: 1 }]);
  });

  it('stops a server left running on its cluster by a start that is gone, then starts its own', async () => {
    const clusterDir = freshCluster();
    // Its stop is not the test's doing to report: here it stands for a server whose hub is gone.
    const left = await startEmbeddedPostgres(clusterDir, { onUnexpectedStop: () => {} });
    const leftPid = serverPid(clusterDir);
    await query(left.url, 'create table survived (id int); insert into survived values (7)');
    // As if its hub were gone without stopping it: the next start finds it running.
    const next = await started(clusterDir);
    expect(isAlive(leftPid)).toBe(false);
    expect(serverPid(clusterDir)).not.toBe(leftPid);
    expect(await query(next.url, 'select id from survived')).toEqual([{ id: 7 }]);
    await left.stop();
  });

  it('refuses a data folder PGlite made, and leaves it as it was', async () => {
    const clusterDir = freshCluster();
    const dataDir = join(clusterDir, '..');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'PG_VERSION'), '17\n');
    await expect(startEmbeddedPostgres(clusterDir)).rejects.toMatchObject({ code: 'EMBEDDED_DATABASE_MISMATCH' });
    expect(readdirSync(dataDir)).toEqual(['PG_VERSION']);
  });

  it('is refused to PGlite, which would start an empty database beside it', async () => {
    const clusterDir = freshCluster();
    await (await startEmbeddedPostgres(clusterDir)).stop();
    const dataDir = join(clusterDir, '..');
    const before = readdirSync(dataDir).sort();
    await expect(openDatabase({ dataDir, embedded: 'pglite' })).rejects.toMatchObject({ code: 'EMBEDDED_DATABASE_MISMATCH' });
    expect(readdirSync(dataDir).sort()).toEqual(before);
  });

  it('gives the hub a role that is no superuser: no file or program of the machine through SQL', async () => {
    const server = await started(freshCluster());
    expect(await query(server.url, 'select rolsuper, rolcreatedb from pg_roles where rolname = current_user')).toEqual([{ rolsuper: false, rolcreatedb: true }]);
    // It may drop a database of its own even while autovacuum works in it.
    await query(server.url, 'create database scratch');
    expect(await query(server.url, "select pg_has_role(current_user, 'pg_signal_backend', 'member') as granted")).toEqual([{ granted: true }]);
    await query(server.url, 'drop database scratch with (force)');
    await expect(query(server.url, "select pg_read_file('/etc/hostname')")).rejects.toThrow(/permission denied/);
    await expect(query(server.url, "copy (select 1) to program 'true'")).rejects.toThrow(/permission denied|must be superuser|pg_execute_server_program/);
  });

  it('clears a postmaster.pid that names another living process (a pid used again after a reboot)', async () => {
    const clusterDir = freshCluster();
    await (await startEmbeddedPostgres(clusterDir)).stop();
    // A living process of the server's own user (Postgres takes one of another user's for gone).
    const asServerUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--clear-groups', 'sleep', '60'] : ['sleep', '60'];
    const other = spawn(asServerUser[0] as string, asServerUser.slice(1), { stdio: 'ignore' });
    try {
      writeFileSync(join(clusterDir, 'postmaster.pid'), `${other.pid}\n${clusterDir}\n`);
      const server = await started(clusterDir);
      expect(await query(server.url, 'select 1 as answer')).toEqual([{ answer: 1 }]);
      expect(isAlive(other.pid as number)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('says so when the server stops on its own while in use', async () => {
    const clusterDir = freshCluster();
    let reason = '';
    const server = await startEmbeddedPostgres(clusterDir, { onUnexpectedStop: (why) => (reason = why) });
    servers.push(server);
    const pid = serverPid(clusterDir);
    process.kill(pid, 'SIGINT');
    expect(await untilGone(pid, 30_000)).toBe(true);
    while (!reason) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reason).toMatch(/^the embedded database server stopped on its own/);
  });

  it('removes what a first start cut short left, and creates the cluster whole', async () => {
    const clusterDir = freshCluster();
    const dataDir = join(clusterDir, '..');
    mkdirSync(join(dataDir, 'postgres.creating-AbC123', 'base'), { recursive: true });
    const server = await started(clusterDir);
    expect(await query(server.url, 'select 1 as answer')).toEqual([{ answer: 1 }]);
    expect(readdirSync(dataDir).filter((entry) => entry.startsWith('postgres.creating-'))).toEqual([]);
  });

  it.runIf(process.getuid?.() === 0)('names the folder the server cannot pass through, when the hub runs as root', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'hub-embedded-closed-'));
    folders.push(closed);
    chmodSync(closed, 0o700);
    const clusterDir = join(closed, 'inner', 'data', 'postgres');
    await expect(startEmbeddedPostgres(clusterDir)).rejects.toMatchObject({
      code: 'EMBEDDED_POSTGRES_FOLDER',
      message: expect.stringContaining(`cannot pass through ${closed} on the way to`),
    });
  });
});
