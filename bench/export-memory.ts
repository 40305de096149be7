import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { descendantsOf, ensureBuilt, freePort, proportionalSetSize, sleep, startProcess, stopAll } from './processes.ts';

/**
 * How much the hub's memory grows while it streams its exports of a big data set: starts the
 * compiled hub on a copy of a data folder (`npm run bench:data -- --data-dir DIR`, whose rows
 * are all SYNTHETIC_DEMO), downloads each export of one prefecture (a warm-up: modules, pools
 * and the collector's first sizing), then of the whole pipeline, `--passes` times each,
 * reading each as it comes and keeping none of it. Every `--interval` ms (50) it samples from
 * /proc the resident set size (RSS) of the hub's Node process and, apart, the proportional set
 * size (PSS) of the embedded Postgres server the hub started with its backends (memory they
 * share counted once; their shared buffers fill as they read the data, whatever reads it).
 *
 * Growth of a download: its peak less the figure just before it starts. Besides, the CPU the
 * rest of the machine used meanwhile (all busy time in /proc/stat less the hub's, Postgres's
 * and the bench's own), in cores, so that a figure says what ran beside it.
 *
 *   tsx bench/export-memory.ts --data-dir DIR [--passes 2] [--formats iati,360giving,csv,xlsx]
 *     [--interval 50] [--node-option --trace-gc ...] [--keep-copy]
 */
const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'keep-copy': { type: 'boolean', default: false },
    passes: { type: 'string', default: '2' },
    formats: { type: 'string', default: 'iati,360giving,csv,xlsx' },
    interval: { type: 'string', default: '50' },
    /** Given to the hub's Node (repeatable), e.g. `--node-option=--max-old-space-size=256`. */
    'node-option': { type: 'string', multiple: true, default: [] },
    /** Print each sample's figures as it is taken, for a plot. */
    samples: { type: 'boolean', default: false },
  },
});
const source = values['data-dir'];
if (!source) throw new Error('--data-dir DIR: a folder made by `npm run bench:data`');

const EXPORTS: Record<string, string> = {
  iati: '/exports/pipeline.iati.xml?provenance=SYNTHETIC_DEMO',
  '360giving': '/exports/grants.360giving.json?provenance=SYNTHETIC_DEMO',
  csv: '/exports/pipeline.csv?provenance=SYNTHETIC_DEMO',
  xlsx: '/exports/pipeline.xlsx?provenance=SYNTHETIC_DEMO',
};
const formats = values.formats.split(',').map((format) => {
  const path = EXPORTS[format];
  if (!path) throw new Error(`--formats: ${format} is none of ${Object.keys(EXPORTS).join(', ')}`);
  return { format, path };
});
const passes = Number(values.passes);
const intervalMs = Number(values.interval);
const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(0);
/** Clock ticks a second, as /proc counts CPU time (USER_HZ). */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Row {
  name: string;
  bytes: number;
  seconds: number;
  hubBefore: number;
  hubPeak: number;
  postgresBefore: number;
  postgresPeak: number;
  samples: number;
  /** CPU the rest of the machine used during the download, in cores. */
  otherCores: number;
}

async function main(): Promise<void> {
  ensureBuilt();
  const copy = mkdtempSync(join(tmpdir(), 'hub-export-memory-'));
  // The embedded server runs as "postgres": it passes through the folder, and its cluster keeps its owner and modes (`cp -a`).
  chmodSync(copy, 0o711);
  for (const entry of readdirSync(source!)) {
    if (!entry.startsWith('.hub.lock')) execFileSync('cp', ['-a', join(source!, entry), copy]);
  }
  try {
    const port = await freePort();
    const hub = startProcess(
      'hub',
      'gateway/src/main.ts',
      {
        DATA_DIR: copy,
        DEMO_DATA: 'false',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_ADDRESS: '1000000000',
        RATE_LIMIT_PER_IDENTITY: '1000000000',
      },
      values['node-option'],
    );
    const origin = `http://127.0.0.1:${port}`;
    await readyAt(origin, 180_000);
    const pid = hub.child.pid!;
    const startRss = nodeRss(pid);
    const startPostgres = postgresPss(pid);
    const startLoad = readFileSync('/proc/loadavg', 'utf8').trim();
    const busyAtStart = othersAtWork();

    /** Streams a download to nowhere, sampling the hub's RSS and Postgres's PSS meanwhile. */
    const measure = async (name: string, path: string): Promise<Row> => {
      const hubBefore = nodeRss(pid);
      const postgresBefore = postgresPss(pid);
      let hubPeak = hubBefore;
      let postgresPeak = postgresBefore;
      let samples = 0;
      const started = performance.now();
      const sample = () => {
        const hubNow = nodeRss(pid);
        const postgresNow = postgresPss(pid);
        hubPeak = Math.max(hubPeak, hubNow);
        postgresPeak = Math.max(postgresPeak, postgresNow);
        samples += 1;
        if (values.samples) console.log(`sample ${name} ${((performance.now() - started) / 1000).toFixed(2)} s hub ${mb(hubNow)} MB postgres ${mb(postgresNow)} MB`);
      };
      const sampler = setInterval(sample, intervalMs);
      const cpuBefore = cpuTicks(pid);
      const response = await fetch(origin + path);
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      let bytes = 0;
      const reader = response.body!.getReader();
      try {
        for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.length;
      } catch (error) {
        throw new Error(`${path} was cut off after ${bytes} bytes; the hub said:\n${hub.output().slice(-4000)}`, { cause: error });
      } finally {
        clearInterval(sampler);
      }
      sample();
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = cpuTicks(pid);
      const otherCores = (cpuAfter.all - cpuBefore.all - (cpuAfter.ours - cpuBefore.ours)) / TICKS / seconds;
      return { name, bytes, seconds, hubBefore, hubPeak, postgresBefore, postgresPeak, samples, otherCores };
    };

    const rows: Row[] = [];
    // A warm-up of each format on one prefecture: modules, caches and pools reach their working size first.
    for (const { format, path } of formats) {
      rows.push(await measure(`${format} (warm-up, one prefecture)`, path.replace('?', '?prefecture=610900&')));
      await sleep(1000);
    }
    const afterWarmUp = nodeRss(pid);
    // Then the whole pipeline, each format `passes` times: a leak would grow again on a later pass.
    for (let pass = 1; pass <= passes; pass += 1) {
      for (const { format, path } of formats) {
        rows.push(await measure(`${format} (pass ${pass})`, path));
        await sleep(1000);
      }
    }
    console.log(`conditions: ${cpus().length} cores; load average ${startLoad} at start, ${readFileSync('/proc/loadavg', 'utf8').trim()} at end`);
    console.log(`  busiest other processes at start: ${busyAtStart}`);
    console.log(`hub node options: ${values['node-option'].join(' ') || '(none)'}; sampled every ${intervalMs} ms`);
    console.log(`hub RSS: ${mb(startRss)} MB at start, ${mb(afterWarmUp)} MB after the warm-ups; Postgres PSS at start ${mb(startPostgres)} MB`);
    console.log(
      `${'download'.padEnd(34)} ${'MB out'.padStart(7)} ${'seconds'.padStart(8)} | ${'hub RSS before'.padStart(14)} ${'peak'.padStart(5)} ${'growth'.padStart(6)} | ${'Postgres PSS before'.padStart(19)} ${'peak'.padStart(5)} ${'growth'.padStart(6)} | samples  other CPU (cores)`,
    );
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(34)} ${(row.bytes / MB).toFixed(1).padStart(7)} ${row.seconds.toFixed(1).padStart(8)} | ${mb(row.hubBefore).padStart(14)} ${mb(row.hubPeak).padStart(5)} ${mb(row.hubPeak - row.hubBefore).padStart(6)} | ${mb(row.postgresBefore).padStart(19)} ${mb(row.postgresPeak).padStart(5)} ${mb(row.postgresPeak - row.postgresBefore).padStart(6)} | ${String(row.samples).padStart(7)}  ${row.otherCores.toFixed(2).padStart(5)}`,
      );
    }
    console.log('(MB are MiB; growth: the peak during the download less the figure just before it)');
  } finally {
    await stopAll();
    if (!values['keep-copy']) rmSync(copy, { recursive: true, force: true });
  }
}

/** The resident set size of one process (Linux), in bytes. */
function nodeRss(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

/** The embedded Postgres server and its backends (every process the hub started): their PSS together. */
function postgresPss(hubPid: number): number {
  return descendantsOf(hubPid).reduce((sum, pid) => sum + (proportionalSetSize(pid) ?? 0), 0);
}

/** CPU time so far, in ticks: of the whole machine (busy, not idle), and of the hub, its Postgres and this bench. */
function cpuTicks(hubPid: number): { all: number; ours: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: idle and iowait are not work.
  const all = fields.reduce((sum, value) => sum + value, 0) - fields[3]! - fields[4]!;
  const ours = [process.pid, hubPid, ...descendantsOf(hubPid)].reduce((sum, pid) => sum + processTicks(pid), 0);
  return { all, ours };
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The few processes that used the most CPU over the last second, other than this bench's. */
function othersAtWork(): string {
  const output = execFileSync('top', ['-b', '-n', '2', '-d', '1', '-w', '200'], { encoding: 'utf8' });
  const last = output.slice(output.lastIndexOf('PID USER'));
  return last
    .split('\n')
    .slice(1, 6)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 12 && Number(fields[8]) > 0)
    .map((fields) => `${fields.slice(11).join(' ')} ${fields[8]}%`)
    .join(', ') || 'none';
}

async function readyAt(origin: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const status = await fetch(`${origin}/readyz`).then((response) => response.status, () => 0);
    if (status === 200) return;
    await sleep(250);
  }
  throw new Error(`the hub was not ready within ${timeoutMs} ms`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
