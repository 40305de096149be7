import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { prepareData } from './data.ts';
import { drive, warm } from './load.ts';
import { benchOperations, readDataShape, type Operation, type Send } from './operations.ts';
import { USAGE, readOptions, type BenchOptions } from './options.ts';
import { ensureBuilt, killAll, stopAll, type BenchProcess } from './processes.ts';
import { WriteMix } from './writes.ts';
import { Measurements, megabytes, resultsTable, systemLegend, table } from './report.ts';
import { SYSTEMS, UNLIMITED_RATE, isEngineSystem, startSystems, type RunningSystem, type SystemName } from './systems.ts';

/**
 * `npm run bench`: the hub against peer gateways on the same data and the same operations.
 * See USAGE (options.ts) and BENCHMARKS.md for what it measures and what it does not yet.
 */
async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = readOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }

  ensureBuilt();
  const workDir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  // The embedded database servers run as "postgres" when the bench runs as root: they pass through.
  chmodSync(workDir, 0o711);
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    await stopAll();
    if (!options.keepWork) rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every process the bench started…`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  // Whatever happens, nothing the bench started outlives it.
  process.once('exit', killAll);

  try {
    await run(options, workDir);
  } finally {
    await cleanUp();
  }
}

async function run(options: BenchOptions, workDir: string): Promise<void> {
  const started = Date.now();
  const perMeasure = options.duration + 0.5;
  const estimate =
    options.operations.length * options.systems.length * (options.warmup + 0.5 + options.rounds * options.connections.length * perMeasure);
  console.log(`Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GB, Node ${process.version}`);
  console.log(`Load average at start: ${loadavg().map((value) => value.toFixed(2)).join(' ')} (other work on the machine shares its cores)`);
  console.log(`Systems:\n${systemLegend(options.systems)}`);
  console.log(`Plan: ${options.rounds} interleaved round(s) × ${options.operations.length} operation(s) × ${options.systems.length} system(s) × connections ${options.connections.join(' and ')}, ${options.duration} s each, after ${options.warmup} s of warm-up each; about ${Math.ceil(estimate / 60)} min of load after start-up.`);
  console.log(`Work folder: ${workDir}${options.keepWork ? ' (kept)' : ' (removed at the end)'}\n`);

  const data = await prepareData({
    dataDir: options.dataDir,
    demoScale: options.demoScale,
    workDir,
    pglite: options.systems.includes('hub-pglite'),
    engines: options.systems.filter(isEngineSystem),
  });
  console.log(`Data: ${data.description}, one copy per system. (${seconds(started)})`);

  const { systems, subgraphs, missing, jiangsuUrl } = await startSystems(options.systems, data, workDir, { demoData: options.dataDir === undefined });
  for (const { name, reason } of missing) console.log(`\n!! ${name} (${SYSTEMS[name]}) could not start and is left out of this run:\n${indent(reason)}`);
  if (systems.length === 0) throw new Error('no system started');
  console.log(`Started: ${systems.map((system) => `${system.name} ${system.url}`).join(', ')} (${seconds(started)})`);

  const shape = await readDataShape(sender(systems[0] as RunningSystem));
  console.log(`The data as ${systems[0]?.name} serves it to an anonymous caller: ${shape.projectCount} projects in the pipeline, ${shape.countyCodes.length} counties with projects, ${shape.pipelineCursors.length} pipeline pages of 50.`);
  const operations = benchOperations(shape).filter((operation) => options.operations.includes(operation.name as never));

  const measured = await checkAnswers(operations, systems);
  const statements = await statementsPerRequest(operations, measured);
  const rssAtStart = residentSets(systems, subgraphs);

  console.log(
    `\nWarm-up (per operation and system at ${options.connections[0]} connections, not recorded: each variable set asked twice, where they are at most 500, and at least ${options.warmup} s)…`,
  );
  if (options.warmup > 0) {
    for (const operation of operations) {
      for (const system of measured.get(operation.name) ?? []) await warm(system.url, operation, options.connections[0] as number, options.warmup);
    }
  }

  const writes = new WriteMix(options.writes, shape, jiangsuUrl);
  const measurements = new Measurements();
  for (let round = 1; round <= options.rounds; round += 1) {
    console.log(`Round ${round} of ${options.rounds} (${seconds(started)})…`);
    for (const operation of operations) {
      for (const system of measured.get(operation.name) ?? []) {
        for (const connections of options.connections) {
          const result = await writes.during(system, () => drive(system.url, operation, connections, options.duration));
          measurements.add(operation.name, system.name, connections, result);
          if (result.failures > 0) console.log(`  ${operation.name} on ${system.name} at ${connections}: ${result.failures} failed request(s)`);
        }
      }
    }
  }
  const rssAtEnd = residentSets(systems, subgraphs);

  console.log(`\n== Results (${seconds(started)} after the start; load average now ${loadavg().map((value) => value.toFixed(2)).join(' ')}) ==\n`);
  console.log('Operations (reads, anonymous, full documents: REQUIRE_TRUSTED_DOCUMENTS is off by default; the write mix below runs beside them):');
  for (const operation of operations) console.log(`  ${operation.name.padEnd(18)} ${operation.about}`);
  console.log(
    `\nThe hub runs with RATE_LIMIT_PER_ADDRESS and RATE_LIMIT_PER_IDENTITY at ${UNLIMITED_RATE.toLocaleString('en')} so that no 429 shapes the figures;` +
      ' its other limits (depth, cost, tokens, body size, time) stay at their defaults. The peer gateways have none of these checks.' +
      ' Mean of the rounds; RPS range is the lowest and highest round. autocannon runs in the bench process on the same machine.\n',
  );
  console.log(resultsTable(measurements, operations, systems.map((system) => system.name), options.connections));
  console.log(
    `\nSQL statements per request, from each system's /metrics (hub_sql_statements_total; a peer's: its three subgraph services'), over ${STATEMENT_SAMPLE} requests one at a time before the load, with no write running.` +
      ' The hub with its cache answers a question asked before from it, with no statement: the operations with one set of variables were asked in the answer check already.' +
      ' hub-nocache shows what running each costs. The engines alone serve no metrics (–).\n',
  );
  console.log(
    table(
      ['operation', ...systems.map((system) => system.name)],
      operations.map((operation) => [operation.name, ...systems.map((system) => formatStatements(statements.get(`${operation.name} ${system.name}`)))]),
    ),
  );
  console.log(`\n${writes.report(systems)}`);
  for (const { name, reason } of missing) console.log(`\n${name} is not in the table: it could not start (${reason.split('\n')[0]}).`);

  console.log('\nMemory per process with the processes it started (its embedded database server), as PSS: pages they share count once:');
  console.log(
    table(
      ['process', 'after start', 'after the run'],
      [...rssAtEnd.keys()].map((name) => [name, megabytes(rssAtStart.get(name) ?? null), megabytes(rssAtEnd.get(name) ?? null)]),
    ),
  );
  if (subgraphs.length > 0) console.log('The three subgraph services serve all the peer gateways; add their memory to each peer\'s for the whole system.');
  console.log(`\nDone in ${seconds(started)}.`);
}

/**
 * Sends each operation's first few requests to every system and compares the answers with the
 * first system's: a system that answers with errors is not measured on that operation (its
 * figures would be for errors), and one that answers differently is named.
 */
async function checkAnswers(operations: Operation[], systems: RunningSystem[]): Promise<Map<string, RunningSystem[]>> {
  const measured = new Map<string, RunningSystem[]>();
  const [reference] = systems;
  for (const operation of operations) {
    const keep: RunningSystem[] = [];
    for (const system of systems) {
      let verdict = 'ok';
      for (const variables of operation.variables.slice(0, 5)) {
        const answer = await sender(system)(operation.query, variables);
        if (answer.errors) {
          verdict = `answers with errors: ${JSON.stringify(answer.errors).slice(0, 300)}`;
          break;
        }
        if (system !== reference) {
          const expected = await sender(reference as RunningSystem)(operation.query, variables);
          if (JSON.stringify(expected.data) !== JSON.stringify(answer.data)) verdict = `answers differently from ${reference?.name} for ${JSON.stringify(variables)}`;
        }
      }
      if (verdict.startsWith('answers with errors')) console.log(`!! ${operation.name} on ${system.name} ${verdict}; not measured`);
      else {
        if (verdict !== 'ok') console.log(`!! ${operation.name} on ${system.name} ${verdict}`);
        keep.push(system);
      }
    }
    measured.set(operation.name, keep);
  }
  console.log('Answers checked: each operation\'s first requests give the same data on every system, unless named above.');
  return measured;
}

/** How many requests of each operation the statement count is averaged over. */
const STATEMENT_SAMPLE = 10;

/**
 * SQL statements per request of each operation on each system: the counters of its /metrics
 * read before and after a few requests sent one at a time, with nothing else running. Keyed
 * `operation system`; absent where the system serves no metrics.
 */
async function statementsPerRequest(operations: Operation[], measured: Map<string, RunningSystem[]>): Promise<Map<string, number>> {
  const perRequest = new Map<string, number>();
  for (const operation of operations) {
    for (const system of measured.get(operation.name) ?? []) {
      if (system.metrics.length === 0) continue;
      const before = await statementsSent(system);
      for (let i = 0; i < STATEMENT_SAMPLE; i += 1) {
        // Variables from the far end of the list: the answer check asked the first ones already.
        const variables = operation.variables[operation.variables.length - 1 - (i % operation.variables.length)] ?? {};
        await sender(system)(operation.query, variables);
      }
      perRequest.set(`${operation.name} ${system.name}`, ((await statementsSent(system)) - before) / STATEMENT_SAMPLE);
    }
  }
  return perRequest;
}

async function statementsSent(system: RunningSystem): Promise<number> {
  let total = 0;
  for (const url of system.metrics) {
    const text = await (await fetch(url)).text();
    for (const [, value] of text.matchAll(/^hub_sql_statements_total(?:\{[^}]*\})? (\S+)$/gm)) total += Number(value);
  }
  return total;
}

function formatStatements(value: number | undefined): string {
  return value === undefined ? '–' : String(Number(value.toFixed(1)));
}

function sender(system: RunningSystem): Send {
  return async (query, variables) => {
    const response = await fetch(system.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Awaited<ReturnType<Send>>;
  };
}

function residentSets(systems: RunningSystem[], subgraphs: BenchProcess[]): Map<string, number | null> {
  const sizes = new Map<string, number | null>();
  for (const system of systems) sizes.set(system.name satisfies SystemName, system.process.rss());
  for (const subgraph of subgraphs) sizes.set(subgraph.name, subgraph.rss());
  return sizes;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(0)} s`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
}

await main();
