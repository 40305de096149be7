import { EnvReader, databaseConfigFor, type DatabaseConfig } from '@hub/server';
import { SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from './subgraphs.ts';

export const TOPOLOGIES = ['all-in-one', 'distributed'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export interface HubConfig {
  /** all-in-one: the subgraphs run in this process; distributed: routed over HTTP. */
  topology: Topology;
  host: string;
  port: number;
  /** The supergraph served; the committed gateway/supergraph.graphql unless SUPERGRAPH_PATH says otherwise. */
  supergraphPath: string;
  /** Each in-process subgraph's database (used in the all-in-one topology). */
  databases: Record<SubgraphName, DatabaseConfig>;
  production: boolean;
}

/** Reads the gateway's configuration once, reporting every problem together. */
export function readHubConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const reader = new EnvReader(env);
  const databases = Object.fromEntries(
    SUBGRAPHS.map(({ name }) => [name, databaseConfigFor(reader, name)]),
  ) as Record<SubgraphName, DatabaseConfig>;
  const config: HubConfig = {
    topology: reader.oneOf('TOPOLOGY', TOPOLOGIES, 'all-in-one'),
    host: reader.text('HOST', '127.0.0.1'),
    port: reader.port('PORT', 4000),
    supergraphPath: reader.existingFile('SUPERGRAPH_PATH', SUPERGRAPH_FILE),
    databases,
    production: reader.text('NODE_ENV', 'development') === 'production',
  };
  reader.done();
  return config;
}
