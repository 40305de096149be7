import { jiangsuSubgraph } from '@hub/subgraph-jiangsu';
import { pairingSubgraph } from '@hub/subgraph-pairing';
import { shaanxiSubgraph } from '@hub/subgraph-shaanxi';
import type { SubgraphName } from './subgraphs.ts';

/**
 * Each subgraph as a plain value: its schema, resolvers, migrations, seed and request context.
 * Kept apart from the names and ports in subgraphs.ts, so that configuration and the command-line
 * tools do not load the three subgraphs.
 */
export const SUBGRAPH_MODULES = {
  shaanxi: shaanxiSubgraph,
  jiangsu: jiangsuSubgraph,
  pairing: pairingSubgraph,
} as const satisfies Record<SubgraphName, unknown>;
