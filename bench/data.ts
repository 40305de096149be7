import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { freePort, startProcess } from './processes.ts';
import type { EngineSystem } from './systems.ts';

export interface DataFolders {
  /** Where the source data came from, for the report. */
  description: string;
  /** The all-in-one hub's DATA_DIR. */
  hub: string;
  /** The DATA_DIR of the hub without its response cache. */
  nocache: string;
  /** The subgraph services' DATA_DIR (each opens DATA_DIR/<name>). */
  distributed: string;
  /** The DATA_DIR of the hub on PGlite (`hub-pglite`), when it runs: the same demo, made by a PGlite hub. */
  pglite: string | undefined;
  /** The DATA_DIR of each gateway engine run alone over in-process subgraphs (`engine-*`), when it runs. */
  engines: Partial<Record<EngineSystem, string>>;
}

const SUBGRAPHS = ['shaanxi', 'jiangsu', 'pairing'] as const;

/**
 * Puts the same data under every system. The source is a data folder as `npm start` makes it
 * (one embedded database holding the three subgraphs' schemas): `--data-dir` names a generated
 * data set (`npm run bench:data`, no demo in it: the systems start with DEMO_DATA=false), otherwise the bench
 * makes one with the demo at `demoScale`. The source is never opened by the bench's systems:
 * each gets a copy, the hub one and each subgraph service one (it reads only its own schema),
 * so every system starts on byte-identical databases.
 */
export async function prepareData(options: {
  dataDir: string | undefined;
  demoScale: number;
  workDir: string;
  pglite: boolean;
  engines: EngineSystem[];
}): Promise<DataFolders> {
  let source: string;
  let description: string;
  if (options.dataDir) {
    source = resolve(options.dataDir);
    if (!existsSync(source)) throw new Error(`--data-dir ${source} does not exist`);
    if (existsSync(join(source, '.hub.lock'))) {
      throw new Error(`${source} is in use (it holds .hub.lock): stop the hub on it first, or remove a lock left by a process that died`);
    }
    description = `the data folder ${source}`;
  } else {
    source = join(options.workDir, 'source');
    description = `the demo at DEMO_SCALE=${options.demoScale}, made fresh for this run`;
    await makeDemoFolder(source, options.demoScale);
  }
  const hub = join(options.workDir, 'hub');
  const distributed = join(options.workDir, 'distributed');
  const nocache = join(options.workDir, 'hub-nocache');
  copyDataFolder(source, hub);
  copyDataFolder(source, nocache);
  for (const name of SUBGRAPHS) copyDataFolder(source, join(distributed, name));
  const engines: Partial<Record<EngineSystem, string>> = {};
  for (const engine of options.engines) copyDataFolder(source, (engines[engine] = join(options.workDir, engine)));
  // PGlite keeps its own format: its hub gets the same demo made by a first start on PGlite.
  let pglite: string | undefined;
  if (options.pglite && !options.dataDir) {
    pglite = join(options.workDir, 'hub-pglite');
    await makeDemoFolder(pglite, options.demoScale, 'pglite');
  }
  return { description, hub, nocache, distributed, pglite, engines };
}

async function makeDemoFolder(folder: string, demoScale: number, embedded: 'postgres' | 'pglite' = 'postgres'): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const port = await freePort();
  const hub = startProcess('data (first start)', 'gateway/src/main.ts', {
    DATA_DIR: folder,
    DEMO_SCALE: String(demoScale),
    PORT: String(port),
    EMBEDDED_DATABASE: embedded,
  });
  try {
    await hub.ready(300_000);
  } finally {
    await hub.stop();
  }
  const code = await hub.exited;
  if (code !== 0) throw new Error(`the hub that made the data folder exited with ${code}:\n${hub.output().slice(-4000)}`);
}

/** `cp -a`: the embedded server's cluster must keep its owner and modes, or it refuses to start. */
function copyDataFolder(source: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source)) {
    if (!basename(entry).startsWith('.hub.lock')) execFileSync('cp', ['-a', join(source, entry), target]);
  }
}
