import { parseArgs } from 'node:util';
import { OPERATION_NAMES, type OperationName } from './operations.ts';
import { DEFAULT_SYSTEMS, SYSTEM_NAMES, type SystemName } from './systems.ts';

export interface BenchOptions {
  systems: SystemName[];
  operations: OperationName[];
  connections: number[];
  /** Seconds of each measured autocannon run. */
  duration: number;
  /** Seconds of the unrecorded warm-up, per operation and system. */
  warmup: number;
  rounds: number;
  /** Pledges per second while reads are measured; 0 for reads alone. */
  writes: number;
  /** An existing data folder to copy under every system; none: the demo at `demoScale`. */
  dataDir: string | undefined;
  demoScale: number;
  keepWork: boolean;
}

export const USAGE = `Usage: npm run bench -- [flags]

Starts the hub (all-in-one, as npm start runs it) and peer gateways routing to the hub's own
subgraph services, each on a copy of the same data, drives the operations users read at each
with autocannon in interleaved rounds while a write mix runs, and prints RPS, p50 and p99 per
operation and system, SQL statements per request, how the writes went and each process's memory.

  --systems LIST       ${SYSTEM_NAMES.join(',')}
                       (default: ${DEFAULT_SYSTEMS.join(',')})
  --operations LIST    ${OPERATION_NAMES.join(',')} (default: all)
  --connections LIST   connection counts measured (default: 10,50)
  --duration S         seconds per measured run (default: 3)
  --warmup S           warm-up per operation and system, not recorded: each variable set asked
                       twice where there are at most 500, then load to at least S seconds
                       (default: 2; 0: none)
  --rounds N           interleaved rounds (default: 2)
  --writes N           pledges per second sent to the system under test while each of its
                       reads is measured (default: 1; 0: reads alone)
  --data-dir DIR       copy this generated data set (npm run bench:data -- --data-dir DIR)
                       under every system, which starts with DEMO_DATA=false; it is not modified
  --demo-scale N       without --data-dir: make a fresh demo data folder at this DEMO_SCALE (default: 10)
  --keep-work          keep the work folder (the systems' data copies) after the run
  --help               this text`;

export function readOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      systems: { type: 'string' },
      operations: { type: 'string' },
      connections: { type: 'string', default: '10,50' },
      duration: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '2' },
      writes: { type: 'string', default: '1' },
      'data-dir': { type: 'string' },
      'demo-scale': { type: 'string', default: '10' },
      'keep-work': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const problems: string[] = [];
  const systems = listOf(values.systems, SYSTEM_NAMES, '--systems', problems, DEFAULT_SYSTEMS);
  const operations = listOf(values.operations, OPERATION_NAMES, '--operations', problems);
  const connections = (values.connections ?? '').split(',').map((part) => wholeNumber(part, '--connections', 1, 1000, problems));
  const options: BenchOptions = {
    systems,
    operations,
    connections,
    duration: wholeNumber(values.duration, '--duration', 1, 600, problems),
    warmup: wholeNumber(values.warmup, '--warmup', 0, 600, problems),
    rounds: wholeNumber(values.rounds, '--rounds', 1, 100, problems),
    writes: wholeNumber(values.writes, '--writes', 0, 1000, problems),
    dataDir: values['data-dir'],
    demoScale: wholeNumber(values['demo-scale'], '--demo-scale', 1, 10, problems),
    keepWork: values['keep-work'] ?? false,
  };
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n\n${USAGE}`);
  return options;
}

function listOf<T extends string>(raw: string | undefined, known: readonly T[], flag: string, problems: string[], byDefault: readonly T[] = known): T[] {
  if (raw === undefined) return [...byDefault];
  const chosen = raw.split(',').filter(Boolean);
  for (const name of chosen) if (!known.includes(name as T)) problems.push(`${flag}: unknown "${name}" (one of ${known.join(', ')})`);
  // In the canonical order, whatever order they were named in.
  return known.filter((name) => chosen.includes(name));
}

function wholeNumber(raw: string | undefined, flag: string, min: number, max: number, problems: string[]): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) problems.push(`${flag} must be a whole number from ${min} to ${max}; got "${raw}"`);
  return value;
}
