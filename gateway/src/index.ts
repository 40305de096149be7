export { composeSupergraph, subgraphUrls, type CompositionResult } from './compose.ts';
export { readHubConfig, TOPOLOGIES, type HubConfig, type Topology } from './config.ts';
export { startHub, startInProcessSubgraphs, openSubgraphDatabases, subgraphUrlsOf, type Hub } from './hub.ts';
export { SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from './subgraphs.ts';
