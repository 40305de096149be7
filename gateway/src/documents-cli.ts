import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';
import { TRUSTED_DOCUMENTS_FILE } from './config.ts';
import { consoleOperations } from './console-documents.ts';
import { documentId, type DocumentManifest } from './documents.ts';

/**
 * `npm run documents` writes gateway/trusted-documents.json from gateway/operations/*.graphql
 * (one named operation a file) and from the web console's operations (packages/console/src,
 * with the ids the console sends); `--check` fails when the committed manifest is stale.
 */
const folder = fileURLToPath(new URL('../operations', import.meta.url));
const consoleSources = fileURLToPath(new URL('../../packages/console/src', import.meta.url));
const gatewayOperations: DocumentManifest['operations'] = readdirSync(folder)
  .filter((file) => file.endsWith('.graphql'))
  .sort()
  .map((file) => {
    const body = readFileSync(join(folder, file), 'utf8');
    const definitions = parse(body).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const operation = definitions[0];
    if (definitions.length !== 1 || !operation?.name) {
      throw new Error(`${file} must hold exactly one named operation`);
    }
    if (operation.name.value !== basename(file, '.graphql')) {
      throw new Error(`${file} holds operation ${operation.name.value}; name the file after it`);
    }
    return { id: documentId(body), name: operation.name.value, type: operation.operation, body };
  });
const operations = [...gatewayOperations, ...consoleOperations(consoleSources)];
const names = operations.map(({ name }) => name);
const twice = names.filter((name, index) => names.indexOf(name) !== index);
if (twice.length > 0) throw new Error(`Operation names must be unique across the manifest: ${[...new Set(twice)].join(', ')}`);
const manifest: DocumentManifest = { format: 'apollo-persisted-query-manifest', version: 1, operations };
const text = `${JSON.stringify(manifest, null, 2)}\n`;

if (process.argv.includes('--check')) {
  if (readFileSync(TRUSTED_DOCUMENTS_FILE, 'utf8') !== text) {
    console.error(`${TRUSTED_DOCUMENTS_FILE} is stale: run \`npm run documents\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${TRUSTED_DOCUMENTS_FILE} is current (${operations.length} operations).`);
} else {
  writeFileSync(TRUSTED_DOCUMENTS_FILE, text);
  console.log(`Wrote ${operations.length} operations to ${TRUSTED_DOCUMENTS_FILE}.`);
}
