import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuilt, freePort, sleep, startProcess, stopAll } from './processes.ts';

/**
 * How much the hub's memory grows while it streams its exports of a big data set: starts the
 * compiled hub on a copy of a data folder (`npm run bench:data -- --data-dir DIR`, whose rows
 * are all SYNTHETIC_DEMO), downloads each export of the whole pipeline in turn, reading it as
 * it comes and keeping none of it, and samples every 20 ms the resident set size (RSS) of the
 * hub's Node process, and the proportional set size (PSS) of it with the embedded Postgres
 * server it started (whose backends and shared buffers grow as they read the data, whatever
 * reads it). Growth is the peak during a download less the figure just before it, after a
 * warm-up download of each format. Usage: tsx bench/export-memory.ts --data-dir DIR
 */
const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'keep-copy': { type: 'boolean', default: false } } });
const source = values['data-dir'];
if (!source) throw new Error('--data-dir DIR: a folder made by `npm run bench:data`');

const EXPORTS = [
  '/exports/pipeline.iati.xml?provenance=SYNTHETIC_DEMO',
  '/exports/grants.360giving.json?provenance=SYNTHETIC_DEMO',
  '/exports/pipeline.csv?provenance=SYNTHETIC_DEMO',
  '/exports/pipeline.xlsx?provenance=SYNTHETIC_DEMO',
];
const MB = 1024 * 1024;

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
    const hub = startProcess('hub', 'gateway/src/main.ts', {
      DATA_DIR: copy,
      DEMO_DATA: 'false',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_ADDRESS: '1000000000',
      RATE_LIMIT_PER_IDENTITY: '1000000000',
    });
    const origin = `http://127.0.0.1:${port}`;
    await readyAt(origin, 180_000);
    const pid = hub.child.pid!;
    const startRss = nodeRss(pid);

    /** Streams a download to nowhere, sampling the hub's RSS meanwhile. */
    const measure = async (path: string) => {
      const before = nodeRss(pid);
      const treeBefore = hub.rss()!;
      let peak = before;
      let treePeak = treeBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, nodeRss(pid));
        treePeak = Math.max(treePeak, hub.rss() ?? 0);
      }, 20);
      const started = performance.now();
      const response = await fetch(origin + path);
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      let bytes = 0;
      const reader = response.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.length;
      clearInterval(sampler);
      return { path, bytes, seconds: (performance.now() - started) / 1000, before, peak, treeGrowth: treePeak - treeBefore };
    };

    const rows = [];
    // A warm-up of each format on one prefecture: modules, caches and pools reach their working size first.
    for (const path of EXPORTS) {
      rows.push(await measure(path.replace('?', '?prefecture=610900&')));
      await sleep(1000);
    }
    // Then the whole pipeline, twice: a leak would grow again on the second pass.
    for (const pass of [1, 2]) {
      for (const path of EXPORTS) {
        rows.push({ ...(await measure(path)), path: `${path} (pass ${pass})` });
        await sleep(1000);
      }
    }
    console.log(`hub RSS at start: ${(startRss / MB).toFixed(0)} MB`);
    console.log('export                                                                    MB out  seconds  hub RSS before  peak    growth  with Postgres: growth');
    for (const row of rows) {
      const mb = (bytes: number, digits = 0) => `${(bytes / MB).toFixed(digits)} MB`;
      console.log(
        `${row.path.padEnd(72)} ${(row.bytes / MB).toFixed(1).padStart(7)} ${row.seconds.toFixed(1).padStart(8)} ${mb(row.before).padStart(14)} ${mb(row.peak).padStart(7)} ${mb(row.peak - row.before, 1).padStart(9)} ${mb(row.treeGrowth, 1).padStart(12)}`,
      );
    }
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
