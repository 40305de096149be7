#!/usr/bin/env node
// Runs a compiled entry of the hub — `node --conditions=hub-compiled scripts/start.mjs
// dist/gateway.js [args]`, as `npm start`, `start:<name>` and `migrate` do — after building
// it if a source changed since the last good build (scripts/build.mjs). The check and the
// entry share one Node process: a start is waited for, and a second process would add a tenth
// of a second to each. The entry then sees itself as the script run, with its own arguments.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale } from './build.mjs';

const [entry] = process.argv.splice(2, 1);
if (!entry) {
  process.stderr.write('usage: node --conditions=hub-compiled scripts/start.mjs <compiled entry> [arguments]\n');
  process.exit(2);
}
await buildIfStale();
process.argv[1] = resolve(entry);
await import(pathToFileURL(process.argv[1]).href);
