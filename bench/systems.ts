import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataFolders } from './data.ts';
import { REPOSITORY_ROOT, freePort, startProcess, type BenchProcess } from './processes.ts';

/** The systems a run can compare; the hub first, the peers after it. */
export const SYSTEMS = {
  hub: 'hub (all-in-one, embedded Postgres: npm start)',
  'hub-nocache': 'hub (all-in-one, embedded Postgres) with RESPONSE_CACHE=false',
  'hub-pglite': 'hub (all-in-one, PGlite in the process: EMBEDDED_DATABASE=pglite)',
  apollo: 'Apollo Gateway → subgraph services',
  hive: 'Hive Gateway (JS planner) → subgraph services',
  'hive-rust': 'Hive Gateway (Rust planner) → subgraph services',
  'engine-apollo': 'stock Apollo Gateway alone, the subgraphs in its process (embedded Postgres), none of the hub\'s gateway code',
  'engine-hive-rust': 'Hive Gateway (Rust planner) alone, the subgraphs in its process (embedded Postgres), none of the hub\'s gateway code',
} as const;
export type SystemName = keyof typeof SYSTEMS;
/** A gateway engine alone over in-process subgraphs. */
export type EngineSystem = Extract<SystemName, `engine-${string}`>;
export const SYSTEM_NAMES = Object.keys(SYSTEMS) as SystemName[];
/** What a run measures unless told: the hub and the gateways users could pick instead. */
export const DEFAULT_SYSTEMS: SystemName[] = ['hub', 'hub-nocache', 'apollo', 'hive', 'hive-rust'];

/** A peer routes to the subgraph services; the hub's variants and the engines alone are no peers. */
export const isPeer = (name: SystemName) => !name.startsWith('hub') && !isEngineSystem(name);
export const isEngineSystem = (name: SystemName): name is EngineSystem => name.startsWith('engine-');

const SUBGRAPHS = ['shaanxi', 'jiangsu', 'pairing'] as const;

/** Whatever the hub counts per minute is set this high, so that no 429 shapes the figures. */
export const UNLIMITED_RATE = 1_000_000_000;

/**
 * No line per request from the hub's processes: the peer gateways write none, and the bench
 * reads every process's output in its own process, beside the load generator.
 */
const QUIET_LOGS = { LOG_LEVEL: 'warn' };

/** One internal secret for the subgraph services and every peer gateway of this run. */
export const INTERNAL_SECRET = 'bench-internal-secret-for-this-run-only-0123456789';

export interface RunningSystem {
  name: SystemName;
  url: string;
  /** The processes whose memory is the system's own (a peer shares the subgraph services). */
  process: BenchProcess;
  /**
   * Where the SQL statements this system sends are counted (the hub's /metrics; for a peer, its
   * three subgraph services'); empty for the engines alone, which serve no metrics.
   */
  metrics: string[];
}

export interface Started {
  systems: RunningSystem[];
  /** The subgraph services the peers route to, when any peer runs. */
  subgraphs: BenchProcess[];
  /** Peers that could not start, with why; the bench prints these and goes on without them. */
  missing: { name: SystemName; reason: string }[];
  /** The Jiangsu subgraph service's URL, when the peers' services run: their writes go there. */
  jiangsuUrl?: string;
}

const READY_TIMEOUT_MS = 300_000;

/**
 * Starts the chosen systems on their copies of the data: the hub as `npm start` runs it, and
 * for the peers the three subgraph services as `npm run start:<name>` runs them (their own
 * embedded databases under one DATA_DIR), then each peer gateway routing to them.
 *
 * `demoData` is DEMO_DATA for the hub and the subgraph services: true on the demo folder the
 * bench makes, false on a data folder it is given (`--data-dir`). Left at its default there, a
 * start would load the demo beside a generated data set, and the figures would be for both.
 */
export async function startSystems(chosen: SystemName[], data: DataFolders, workDir: string, { demoData }: { demoData: boolean }): Promise<Started> {
  const started: Started = { systems: [], subgraphs: [], missing: [] };
  const peers = chosen.filter(isPeer);
  const demo = { DEMO_DATA: String(demoData) };

  const waits: Promise<void>[] = [];
  // The hub as npm start runs it, and its variants: each its own copy of the data and its settings.
  const hubs = [
    { name: 'hub', dataDir: data.hub, env: {} },
    { name: 'hub-nocache', dataDir: data.nocache, env: { RESPONSE_CACHE: 'false' } },
    { name: 'hub-pglite', dataDir: data.pglite, env: { EMBEDDED_DATABASE: 'pglite' } },
  ] as const;
  for (const { name, dataDir, env } of hubs) {
    if (!chosen.includes(name)) continue;
    if (!dataDir) {
      started.missing.push({ name, reason: 'runs on the demo only: a data set from --data-dir is in the embedded server\'s format' });
      continue;
    }
    const hub = startProcess(name, 'gateway/src/main.ts', {
      DATA_DIR: dataDir,
      ...env,
      ...demo,
      PORT: String(await freePort()),
      RATE_LIMIT_PER_ADDRESS: String(UNLIMITED_RATE),
      RATE_LIMIT_PER_IDENTITY: String(UNLIMITED_RATE),
      ...QUIET_LOGS,
    });
    waits.push(hub.ready(READY_TIMEOUT_MS).then((url) => void started.systems.push({ name, url, process: hub, metrics: [metricsUrlOf(url)] })));
  }

  // Each engine alone starts the subgraphs in its own process, on its own copy of the data.
  for (const name of chosen.filter(isEngineSystem)) {
    const dataDir = data.engines[name];
    if (!dataDir) throw new Error(`${name} has no copy of the data`);
    const engine = startProcess(name, 'bench/gateways/in-process.ts', {
      ENGINE: name.slice('engine-'.length),
      DATA_DIR: dataDir,
      ...demo,
      SUPERGRAPH_PATH: join(REPOSITORY_ROOT, 'gateway', 'supergraph.graphql'),
      PORT: String(await freePort()),
    });
    waits.push(engine.ready(READY_TIMEOUT_MS).then((url) => void started.systems.push({ name, url, process: engine, metrics: [] })));
  }

  let supergraphPath: string | undefined;
  /** The subgraph services' metrics: where every peer's statements are counted. */
  let subgraphMetrics: string[] = [];
  if (peers.length > 0) {
    const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (name) => [name, await freePort()] as const)));
    const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]));
    const peerUrls = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_SUBGRAPH_URL`, urls[name] as string]));
    subgraphMetrics = Object.values(urls).map(metricsUrlOf);
    for (const name of SUBGRAPHS) {
      const service = startProcess(`${name} subgraph`, `subgraphs/${name}/src/main.ts`, {
        DATA_DIR: data.distributed,
        ...demo,
        PORT: String(ports[name]),
        HUB_INTERNAL_SECRET: INTERNAL_SECRET,
        ...peerUrls,
        ...QUIET_LOGS,
      });
      started.subgraphs.push(service);
      waits.push(service.ready(READY_TIMEOUT_MS).then(() => undefined));
    }
    started.jiangsuUrl = urls.jiangsu;
    supergraphPath = join(workDir, 'supergraph.graphql');
    writeFileSync(supergraphPath, supergraphWithUrls(urls));
  }
  await Promise.all(waits);

  for (const name of peers) {
    const port = await freePort();
    const entry = name === 'apollo' ? 'bench/gateways/apollo-gateway.ts' : 'bench/gateways/hive-gateway.ts';
    const gateway = startProcess(name, entry, {
      SUPERGRAPH_PATH: supergraphPath as string,
      PORT: String(port),
      HUB_INTERNAL_SECRET: INTERNAL_SECRET,
      QUERY_PLANNER: name === 'hive-rust' ? 'rust' : 'javascript',
    });
    try {
      const url = await gateway.ready(60_000);
      started.systems.push({ name, url, process: gateway, metrics: subgraphMetrics });
    } catch (error) {
      await gateway.stop();
      started.missing.push({ name, reason: firstLines((error as Error).message) });
    }
  }
  started.systems.sort((a, b) => SYSTEM_NAMES.indexOf(a.name) - SYSTEM_NAMES.indexOf(b.name));
  return started;
}

/** A service's /metrics beside its GraphQL endpoint. */
function metricsUrlOf(graphqlUrl: string): string {
  return new URL('/metrics', graphqlUrl).href;
}

/** The committed supergraph with the bench's subgraph URLs in place of the default ports. */
function supergraphWithUrls(urls: Record<string, string>): string {
  let sdl = readFileSync(join(REPOSITORY_ROOT, 'gateway', 'supergraph.graphql'), 'utf8');
  for (const [name, url] of Object.entries(urls)) {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+(")`);
    if (!pattern.test(sdl)) throw new Error(`the supergraph has no subgraph "${name}"`);
    sdl = sdl.replace(pattern, `$1${url}$2`);
  }
  return sdl;
}

function firstLines(text: string, count = 12): string {
  return text.split('\n').slice(0, count).join('\n');
}
