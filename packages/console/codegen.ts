import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supergraph } from '@apollo/federation-internals';
import { codegen } from '@graphql-codegen/core';
import { preset } from '@graphql-codegen/client-preset';
import { parse, printSchema, type GraphQLSchema } from 'graphql';

/**
 * The console's types, from the schema: graphql-codegen's client preset over the API schema of
 * the committed supergraph (what clients see: no join__/link__ machinery, nothing
 * @inaccessible), and over the console's documents (every `.graphql` file under src/). It writes
 * src/gql/ (never committed): typed documents, each carrying the sha256 of its printed text,
 * and persisted-documents.json, which the hub's manifest takes in (`npm run documents`).
 *
 * It calls the preset through @graphql-codegen/core itself rather than through
 * @graphql-codegen/cli, whose command line needs Node 22 (listr2 10, @inquirer/prompts 8).
 */
const here = dirname(fileURLToPath(import.meta.url));
export const SUPERGRAPH = join(here, '..', '..', 'gateway', 'supergraph.graphql');
export const SOURCES = join(here, 'src');
export const GENERATED = join(SOURCES, 'gql');

/** The supergraph as clients see it. */
export function apiSchema(supergraphSdl = readFileSync(SUPERGRAPH, 'utf8')): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/** The console's documents: every .graphql file under src/, by its path from the package. */
export function documentFiles(): string[] {
  return readdirSync(SOURCES, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.graphql'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.startsWith(GENERATED))
    .sort();
}

/**
 * Writes src/gql/ afresh (or `into`, a folder of the same shape), from the committed supergraph
 * or from `supergraphSdl`. Fails, writing nothing, when a document asks for what the schema does
 * not have: a field renamed or removed under the console breaks the build, not the page.
 */
export async function generateTypes(options: { supergraphSdl?: string; into?: string } = {}): Promise<void> {
  const schemaAst = apiSchema(options.supergraphSdl);
  const schema = parse(printSchema(schemaAst));
  const documents = documentFiles().map((file) => {
    const rawSDL = readFileSync(file, 'utf8');
    return { location: relative(here, file), document: parse(rawSDL), rawSDL };
  });
  const outputs = await preset.buildGeneratesSection({
    baseOutputDir: 'src/gql/',
    schema,
    schemaAst,
    documents,
    plugins: [],
    pluginMap: {},
    config: {
      useTypeImports: true,
      enumType: 'const',
      // Money beyond 2^53 − 1 fen has fen null; the scalars the console reads are strings or safe integers.
      scalars: { DivisionCode: 'string', Date: 'string', DateTime: 'string', SafeInt: 'number', Currency: 'string', URL: 'string' },
      defaultScalarType: 'unknown',
    },
    presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' }, fragmentMasking: false },
  });
  // The preset's persisted-documents output waits for its typed documents: they run together.
  const written = await Promise.all(outputs.map(async (output) => ({ filename: output.filename, content: await codegen(output) })));
  const into = options.into ?? GENERATED;
  rmSync(into, { recursive: true, force: true });
  for (const { filename, content } of written) {
    const target = join(into, relative('src/gql', filename));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await generateTypes();
  console.log(`Wrote the console's types and persisted documents into ${relative(process.cwd(), GENERATED)}/.`);
}
