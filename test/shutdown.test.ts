import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '@hub/db';
import { DEVELOPMENT_SECRETS } from '@hub/server';
import { mintToken } from '@hub/gateway';
import { REPOSITORY_ROOT, temporaryDataRoot } from '@hub/testkit';

/**
 * SIGTERM to `npm start`, as README's Quick start and an orchestrator run it, drains the hub:
 * every request sent before the signal is answered — it committed (200 with its data), or it
 * was not started (503 SHUTTING_DOWN, safe to send elsewhere) — none is reset, the process
 * exits 0, the data-folder lock is released, and exactly the writes answered as committed are
 * there after a restart.
 */
const started: ChildProcess[] = [];
const folder = temporaryDataRoot('hub-drain-');
afterAll(() => {
  // A test that failed midway leaves its hub running: end it and whatever npm started under it.
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const tree = [child.pid as number];
    for (let index = 0; index < tree.length; index++) tree.push(...childrenOf(tree[index] as number));
    for (const pid of tree.reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // It ended meanwhile.
      }
    }
  }
  rmSync(folder, { recursive: true, force: true });
});

interface NpmStart {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  /** The GraphQL URL from the hub's "ready at" line. */
  url: string;
}

/** `npm start` itself, so that the test meets whatever the start script runs. */
async function npmStart(dataDir: string): Promise<NpmStart> {
  const child = spawn('npm', ['start'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const since = Date.now();
  while (Date.now() - since < 90_000) {
    const match = /ready at (http:\/\/\S+\/graphql)/.exec(output);
    if (match) return { child, output: () => output, exited, url: match[1] as string };
    if (ended) throw new Error(`npm start ended before the hub was ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the hub was not ready within 90 s:\n${output}`);
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** One request on a connection of its own (or the agent's), resolving with its answer; a reset rejects. */
function send(url: string, options: { method?: string; agent: Agent | false; headers?: Record<string, string | number>; body?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sending = request(url, { method: options.method ?? 'GET', agent: options.agent, headers: options.headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) }));
      response.on('error', reject);
    });
    sending.on('error', reject);
    sending.end(options.body);
  });
}

function officeToken(): Promise<string> {
  return mintToken({
    secret: DEVELOPMENT_SECRETS.jwt,
    issuer: 'su-shaan-hub',
    audience: 'su-shaan-hub',
    role: 'JIANGSU_OFFICE',
    subject: 'drain-test-office',
    expiresIn: '10m',
  });
}

function creation(nameZh: string, token: string) {
  const body = Buffer.from(
    JSON.stringify({
      query: 'mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id nameZh } }',
      variables: { input: { nameZh, kind: 'FOUNDATION' } },
    }),
  );
  return { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` } };
}

/** Lock files anywhere under the data folder (one per embedded database). */
function locksUnder(dataDir: string): string[] {
  return readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith(LOCK_FILE));
}

/** The processes whose parent is `pid` (Linux's /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name, in parentheses, may hold spaces: the fields after it are counted from its end.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return children;
}

/** A request that was not started: the answer says so, how soon to retry, and ends the connection. */
function expectShuttingDown(answer: Answer) {
  expect(answer.status).toBe(503);
  expect(answer.body.errors[0].extensions.code).toBe('SHUTTING_DOWN');
  expect(answer.headers['retry-after']).toBe('1');
  expect(answer.headers.connection).toBe('close');
}

describe('SIGTERM to npm start', () => {
  // On this machine the hub commits the 24 writes in about 120–200 ms: the first three offsets
  // land while they run, the last once they are done.
  it.each([10, 30, 80, 300])(
    'answers each of 24 concurrent writes, committed or SHUTTING_DOWN, when the signal comes %i ms after they are sent; exits 0; the committed ones are there after a restart',
    async (offsetMs) => {
      const dataDir = join(folder, `offset-${offsetMs}`);
      const hub = await npmStart(dataDir);
      const token = await officeToken();

      const names = Array.from({ length: 24 }, (_, index) => `停机-${offsetMs}-${index}`);
      const writes = names.map((name) =>
        send(hub.url, { agent: false, ...creation(name, token) }).then(
          (answer) => ({ answer }),
          (error: Error & { code?: string }) => ({ failed: error.code ?? error.message }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, offsetMs));
      hub.child.kill('SIGTERM');

      const outcomes = await Promise.all(writes);
      const committed: string[] = [];
      for (const [index, outcome] of outcomes.entries()) {
        expect(outcome, `write ${index} was not answered`).not.toHaveProperty('failed');
        const { answer } = outcome as { answer: Answer };
        if (answer.status === 200) {
          expect(answer.body.errors).toBeUndefined();
          expect(answer.body.data.createJiangsuOrganization.nameZh).toBe(names[index]);
          committed.push(names[index] as string);
        } else {
          expectShuttingDown(answer);
        }
      }
      expect(await hub.exited, hub.output()).toBe(0);
      expect(hub.output()).toContain('the hub stopped.');
      expect(locksUnder(dataDir)).toEqual([]);

      const again = await npmStart(dataDir);
      const listed = await send(again.url, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ query: '{ jiangsuOrganizations { nameZh } }' })),
      });
      const stored = listed.body.data.jiangsuOrganizations.map((organization: { nameZh: string }) => organization.nameZh);
      expect(stored.filter((name: string) => name.startsWith(`停机-${offsetMs}-`)).sort()).toEqual(committed.sort());
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      expect(locksUnder(dataDir)).toEqual([]);
    },
    240_000,
  );

  it('runs the hub as npm’s own child, reports not ready while a request is in flight, answers new requests SHUTTING_DOWN and the one in flight with its data, then exits 0', async () => {
    const dataDir = join(folder, 'held');
    const hub = await npmStart(dataDir);
    const origin = new URL(hub.url).origin;
    // npm passes the signal to its child: that child must be the hub itself, not a launcher
    // with a clock of its own that would SIGKILL a hub too busy to acknowledge in time.
    const [hubPid, ...others] = childrenOf(hub.child.pid as number);
    expect(others).toEqual([]);
    expect(readFileSync(`/proc/${hubPid}/cmdline`, 'utf8').split('\0')).toContain('dist/gateway.js');
    // What it starts itself (its embedded database server) is no Node process
    // that could stand between the signal and the hub.
    const below = childrenOf(hubPid as number).map((pid) => basename(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? ''));
    expect(below.filter((command) => command === 'node' || command === 'npm')).toEqual([]);
    if (process.env.EMBEDDED_DATABASE !== 'pglite') expect(below).toContain('postgres');
    const token = await officeToken();

    // A write whose body arrives in two parts: the hub has the request in hand and the test
    // decides when it can finish, so it is surely in flight when the signal comes.
    const { body, headers } = creation('停机-在途', token);
    let finish = () => {};
    const held = new Promise<Answer>((resolve, reject) => {
      const sending = request(hub.url, { method: 'POST', agent: false, headers }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) }));
      });
      sending.on('error', reject);
      sending.write(body.subarray(0, 20));
      finish = () => sending.end(body.subarray(20));
    });
    // A balancer's connection, open before the signal; readiness is asked on it again after.
    const balancer = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(`${origin}/readyz`, { agent: balancer })).status).toBe(200);

    hub.child.kill('SIGTERM');
    while (!hub.output().includes('is draining')) await new Promise((resolve) => setTimeout(resolve, 10));
    const readiness = await send(`${origin}/readyz`, { agent: balancer });
    expect({ status: readiness.status, body: readiness.body }).toEqual({ status: 503, body: { status: 'draining' } });
    expect(readiness.headers.connection).toBe('close');
    // A new connection is still accepted and answered: alive, and the write not started.
    expect((await send(`${origin}/livez`, { agent: false })).status).toBe(200);
    expectShuttingDown(await send(hub.url, { agent: false, ...creation('停机-迟到', token) }));

    finish();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.body.data.createJiangsuOrganization.nameZh).toBe('停机-在途');
    expect(answer.headers.connection).toBe('close');
    expect(await hub.exited, hub.output()).toBe(0);
    expect(locksUnder(dataDir)).toEqual([]);
    balancer.destroy();

    // Every line the hub wrote, from its start to its stop, is a JSON log line (npm's own
    // banner aside): the ones about the process too, with what an operator acts on.
    const lines = hub.output().split('\n').filter((line) => line.trim() !== '' && !line.startsWith('> '));
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { unparsed: line };
      }
    });
    expect(parsed.filter((line) => 'unparsed' in line)).toEqual([]);
    for (const line of parsed) expect(Object.keys(line)).toEqual(expect.arrayContaining(['level', 'time', 'message']));
    const processLines = parsed.filter((line) => line.service === 'hub').map((line) => [line.level, line.message]);
    expect(processLines).toEqual([
      ['info', expect.stringMatching(/^Su–Shaan pairing hub \(all-in-one\) ready at http:\/\/127\.0\.0\.1:\d+\/graphql \d+ ms after the process started$/)],
      ['info', 'SIGTERM: the hub is draining (requests in flight finish; new ones are answered 503 SHUTTING_DOWN).'],
      ['info', 'the hub stopped.'],
    ]);
  }, 240_000);
});
