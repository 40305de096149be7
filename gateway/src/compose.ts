import { composeServices } from '@apollo/composition';
import { loadSubgraphTypeDefs } from '@hub/common';
import { subgraphUrlFrom } from '@hub/server';
import { SUBGRAPHS, schemaFileOf, type SubgraphName } from './subgraphs.ts';

export type CompositionResult =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; errors: string[] };

/** The URL each subgraph is routed to, from `<NAME>_SUBGRAPH_URL` or the local default port. */
export function subgraphUrls(env: NodeJS.ProcessEnv = process.env): Record<SubgraphName, string> {
  const urls = {} as Record<SubgraphName, string>;
  for (const { name } of SUBGRAPHS) urls[name] = subgraphUrlFrom(env, name);
  return urls;
}

/** Composes the three subgraph schemas into a supergraph, as `npm run compose` does. */
export function composeSupergraph(urls: Record<SubgraphName, string> = subgraphUrls({})): CompositionResult {
  const result = composeServices(
    SUBGRAPHS.map(({ name }) => ({ name, url: urls[name], typeDefs: loadSubgraphTypeDefs(schemaFileOf(name)) })),
  );
  if (result.errors) {
    return { ok: false, errors: result.errors.map((error) => error.toString()) };
  }
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.map((hint) => hint.toString()) };
}
