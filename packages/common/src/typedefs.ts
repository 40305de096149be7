import { readFileSync } from 'node:fs';
import type { DocumentNode } from 'graphql';
import { parse } from 'graphql';

const sharedSdl = readFileSync(new URL('./shared.graphql', import.meta.url), 'utf8');

/** A subgraph's own `schema.graphql` together with the value types every subgraph shares. */
export function loadSubgraphTypeDefs(schemaFile: URL): DocumentNode {
  return parse(`${readFileSync(schemaFile, 'utf8')}\n${sharedSdl}`);
}
