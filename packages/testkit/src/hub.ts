import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@hub/db';
import { composeSupergraph, startHub, startInProcessSubgraphs, type Hub, type HubConfig } from '@hub/gateway';
import { SUBGRAPHS, SUPERGRAPH_FILE, type SubgraphName } from '@hub/gateway';
import { serveRunningSubgraph, type HttpService } from '@hub/server';
import { openTestDatabase } from './database.ts';

export type Topology = HubConfig['topology'];

export interface GraphQLResult<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] }[];
}

export interface TestHub {
  topology: Topology;
  url: string;
  /** Root URL of the gateway, for /health and raw requests. */
  origin: string;
  database: Database;
  /** Sends an operation through the gateway over HTTP. */
  query<TData = Record<string, any>>(
    document: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<TData>>;
  /** Counts the SQL statements an operation sends, across all subgraphs. */
  countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  stop(): Promise<void>;
}

/**
 * Starts the hub for a test file on a fresh database, on port 0: all-in-one (subgraphs in
 * process) or distributed (each subgraph its own HTTP service, the gateway serving a
 * supergraph composed for their ports and routing over HTTP).
 */
export async function startTestHub(topology: Topology = 'all-in-one'): Promise<TestHub> {
  const database = await openTestDatabase();
  const databases = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, database])) as Record<SubgraphName, Database>;
  const baseConfig: HubConfig = {
    topology,
    host: '127.0.0.1',
    port: 0,
    supergraphPath: SUPERGRAPH_FILE,
    databases: Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, { url: undefined, dataDir: '' }])) as HubConfig['databases'],
    production: false,
  };

  const services: HttpService[] = [];
  let cleanup = async () => {};
  let hub: Hub;
  try {
    if (topology === 'all-in-one') {
      hub = await startHub(baseConfig, { databases });
    } else {
      const running = await startInProcessSubgraphs(databases);
      const urls = {} as Record<SubgraphName, string>;
      for (const { name } of SUBGRAPHS) {
        const service = await serveRunningSubgraph(running[name], { port: 0 });
        services.push(service);
        urls[name] = service.url;
      }
      const composition = composeSupergraph(urls);
      if (!composition.ok) throw new Error(composition.errors.join('\n'));
      const folder = mkdtempSync(join(tmpdir(), 'hub-supergraph-'));
      const supergraphPath = join(folder, 'supergraph.graphql');
      writeFileSync(supergraphPath, composition.supergraphSdl);
      hub = await startHub({ ...baseConfig, supergraphPath });
      cleanup = async () => {
        for (const service of services) await service.stop();
        for (const subgraph of Object.values(running)) await subgraph.stop();
        rmSync(folder, { recursive: true, force: true });
      };
    }
  } catch (error) {
    for (const service of services) await service.stop();
    await database.close();
    throw error;
  }

  const url = hub.url;
  return {
    topology,
    url,
    origin: new URL(url).origin,
    database,
    async query(document, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    countStatements: (work) => database.statements.measure(work),
    async stop() {
      await hub.stop();
      await cleanup();
      await database.close();
    },
  };
}
