import { fileURLToPath } from 'node:url';

/** The subgraphs the hub composes, with the port each listens on in the distributed topology. */
export const SUBGRAPHS = [
  { name: 'shaanxi', port: 4101 },
  { name: 'jiangsu', port: 4102 },
  { name: 'pairing', port: 4103 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export function isSubgraphName(value: string): value is SubgraphName {
  return SUBGRAPHS.some((subgraph) => subgraph.name === value);
}

export function schemaFileOf(name: SubgraphName): URL {
  return new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url);
}

export const SUPERGRAPH_FILE = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
