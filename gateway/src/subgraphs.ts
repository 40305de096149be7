import { fileURLToPath } from 'node:url';
import { SUBGRAPH_NAMES, SUBGRAPH_PORTS, type SubgraphName } from '@hub/server';

/** The subgraphs the hub composes, with the port each listens on in the distributed topology. */
export const SUBGRAPHS = SUBGRAPH_NAMES.map((name) => ({ name, port: SUBGRAPH_PORTS[name] }));

export type { SubgraphName };

export function isSubgraphName(value: string): value is SubgraphName {
  return (SUBGRAPH_NAMES as string[]).includes(value);
}

export function schemaFileOf(name: SubgraphName): URL {
  return new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url);
}

export const SUPERGRAPH_FILE = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

/** The subgraph URLs a supergraph routes to, as `@join__graph` declares them. */
export function subgraphUrlsOf(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]*)"\)/g)) {
    urls[match[1] as string] = match[2] as string;
  }
  return urls;
}
