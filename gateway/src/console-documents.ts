import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { Kind, parse, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { documentId, type DocumentManifest } from './documents.ts';

/**
 * The web console's operations (packages/console/src/**\/*.graphql), as the console sends them:
 * its client preset (graphql-codegen, persisted documents with sha256) sends `documentId:
 * "sha256:<hex>"`, the hash of each operation printed with the fragments it uses, sorted and
 * with the white space reduced (`printExecutableGraphQLDocument`). The manifest keeps that
 * printed text as the body, so that its id is the one the console sends.
 */
export function consoleOperations(sourceFolder: string): DocumentManifest['operations'] {
  const definitions: DefinitionNode[] = readdirSync(sourceFolder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
    .flatMap((file) => parse(readFileSync(file, 'utf8')).definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  return definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => {
      if (!operation.name) throw new Error(`packages/console: every operation needs a name (one is anonymous)`);
      const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsUsedBy(operation, fragments)] };
      const body = printExecutableGraphQLDocument(document);
      return { id: documentId(body), name: operation.name.value, type: operation.operation, body };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The fragments an operation spreads, and those they spread, each once. */
function fragmentsUsedBy(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: DefinitionNode[] = [operation];
  while (pending.length > 0) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`packages/console: fragment ${name} is used but defined nowhere`);
        if (!used.has(name)) {
          used.set(name, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...used.values()];
}
