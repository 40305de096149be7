#!/usr/bin/env node
// Compiles what production runs (the gateway, the three subgraphs and the packages they use)
// with tsc's project references into each package's dist/, and copies the files their code
// reads beside itself. `--if-stale` builds only when a source, a build setting or a package
// manifest is newer than the last build, or there is none: `npm start` asks it that way, and
// it answers in milliseconds when the build is current.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The packages production runs, in the order tsconfig.build.json builds them. */
const PACKAGES = ['packages/common', 'packages/db', 'packages/demo', 'packages/server', 'subgraphs/shaanxi', 'subgraphs/jiangsu', 'subgraphs/pairing', 'gateway'];
/** Files the compiled code reads from its own folder (new URL('./x', import.meta.url)); tsc emits the imported JSON itself. */
const BESIDE_THE_CODE = /\.graphql$/;

function filesUnder(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

const modified = (file) => statSync(file).mtimeMs;

const builtMissing = () => PACKAGES.some((name) => !existsSync(join(root, name, 'dist', '.tsbuildinfo')));

/**
 * Whether a package's sources, manifest or build settings changed since its last build (or it
 * has none), or a setting all share changed since the oldest build.
 */
function stale() {
  const lastBuild = (name) => {
    const info = join(root, name, 'dist', '.tsbuildinfo');
    return existsSync(info) ? modified(info) : null;
  };
  const builds = PACKAGES.map(lastBuild);
  if (builds.includes(null)) return true;
  const changedSince = (time) => (file) => existsSync(file) && modified(file) > time;
  const shared = ['tsconfig.json', 'tsconfig.build-base.json', 'tsconfig.build.json', 'package-lock.json'].map((file) => join(root, file));
  if (shared.some(changedSince(Math.min(...builds)))) return true;
  return PACKAGES.some((name, index) =>
    [join(root, name, 'package.json'), join(root, name, 'tsconfig.build.json'), ...filesUnder(join(root, name, 'src'))].some(changedSince(builds[index])),
  );
}

/** tsc, or null where dev dependencies are left out (`npm ci --omit=dev`). */
function compiler() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

function build() {
  const started = Date.now();
  const tsc = compiler();
  if (!tsc) {
    // A production install of a build made beforehand runs that build as it is.
    if (!builtMissing()) {
      process.stderr.write('TypeScript is not installed (dev dependencies left out): running the build already in dist/.\n');
      return;
    }
    process.stderr.write('The hub is not built and TypeScript is not installed: run `npm ci && npm run build` with dev dependencies, then `npm prune --omit=dev`.\n');
    process.exit(1);
  }
  try {
    execFileSync(process.execPath, [tsc, '--build', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    process.stderr.write('The build failed (tsc --build tsconfig.build.json): see the errors above.\n');
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
  // tsc leaves a package it found current untouched; the build is now newer than its inputs.
  const now = new Date();
  for (const name of PACKAGES) utimesSync(join(root, name, 'dist', '.tsbuildinfo'), now, now);
  process.stderr.write(`Built the hub into each package's dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

if (!process.argv.includes('--if-stale') || stale()) build();
