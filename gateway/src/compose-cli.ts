import { readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph, subgraphUrls } from './compose.ts';
import { SUPERGRAPH_FILE } from './subgraphs.ts';

/**
 * `npm run compose` writes gateway/supergraph.graphql; `npm run compose:check` fails when the
 * committed file is stale or composition fails, printing the composition messages.
 * `--out FILE` writes elsewhere, with subgraph URLs from `<NAME>_SUBGRAPH_URL`.
 */
const args = process.argv.slice(2);
const check = args.includes('--check');
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? args[outIndex + 1] : undefined;

const result = composeSupergraph(out ? subgraphUrls() : undefined);
if (!result.ok) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) console.error(`  - ${error}`);
  process.exit(1);
}
for (const hint of result.hints) console.log(`hint: ${hint}`);

const target = out ?? SUPERGRAPH_FILE;
if (check) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (committed !== result.supergraphSdl) {
    console.error(`${target} is stale: run \`npm run compose\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${target} is current.`);
} else {
  writeFileSync(target, result.supergraphSdl);
  console.log(`Wrote ${target}.`);
}
