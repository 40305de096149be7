export { composeSupergraph, subgraphUrls, type CompositionResult } from './compose.ts';
export { readHubConfig, TOPOLOGIES, DEFAULT_LIMITS, type HubConfig, type Topology } from './config.ts';
export { startHub, type Hub } from './hub.ts';
export { startInProcessSubgraphs, openSubgraphDatabases } from './in-process-subgraphs.ts';
export type { GatewayContext } from './gateway-context.ts';
export { mintToken } from './auth.ts';
export { documentId, loadManifest } from './documents.ts';
export { SUBGRAPHS, SUPERGRAPH_FILE, subgraphUrlsOf, type SubgraphName } from './subgraphs.ts';
export { SUBGRAPH_MODULES } from './subgraph-modules.ts';
