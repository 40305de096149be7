export { composeSupergraph, subgraphUrls, type CompositionResult } from './compose.ts';
export { readHubConfig, TOPOLOGIES, DEFAULT_LIMITS, type HubConfig, type Topology } from './config.ts';
export { startHub, startInProcessSubgraphs, openSubgraphDatabases, subgraphUrlsOf, type Hub } from './hub.ts';
export { mintToken } from './auth.ts';
export { documentId, loadManifest } from './documents.ts';
export { SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from './subgraphs.ts';
