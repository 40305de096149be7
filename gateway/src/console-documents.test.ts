import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRUSTED_DOCUMENTS_FILE } from './config.ts';
import { consoleOperations } from './console-documents.ts';
import type { DocumentManifest } from './documents.ts';

const CONSOLE_SOURCES = fileURLToPath(new URL('../../packages/console/src', import.meta.url));
/** What the console's client preset wrote (packages/console/codegen.ts, run by every build of the console). */
const GENERATED = fileURLToPath(new URL('../../packages/console/src/gql/persisted-documents.json', import.meta.url));

describe("the console's operations in the manifest", () => {
  it('have the ids the console sends: the ids and texts its client preset hashed', () => {
    const generated = JSON.parse(readFileSync(GENERATED, 'utf8')) as Record<string, string>;
    const ours = consoleOperations(CONSOLE_SOURCES);
    expect(ours.length).toBeGreaterThan(0);
    expect(Object.fromEntries(ours.map((operation) => [`sha256:${operation.id}`, operation.body]))).toEqual(generated);
  });

  it('are all in the committed manifest', () => {
    const manifest = JSON.parse(readFileSync(TRUSTED_DOCUMENTS_FILE, 'utf8')) as DocumentManifest;
    const ids = new Set(manifest.operations.map((operation) => operation.id));
    for (const operation of consoleOperations(CONSOLE_SOURCES)) expect(ids.has(operation.id), operation.name).toBe(true);
  });
});
