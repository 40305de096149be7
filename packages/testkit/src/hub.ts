import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@hub/common';
import type { Database } from '@hub/db';
import {
  composeSupergraph,
  mintToken,
  readHubConfig,
  seedOptionsOf,
  startHub,
  startInProcessSubgraphs,
  SUBGRAPHS,
  type Hub,
  type HubConfig,
  type StartOptions,
  type SubgraphName,
} from '@hub/gateway';
import { PeerDirectory, createLogger, httpTransport, serveRunningSubgraph, type HttpService } from '@hub/server';
import { openTestDatabase } from './database.ts';

export type Topology = HubConfig['topology'];

export interface GraphQLResult<TData = Record<string, any>> {
  status: number;
  headers: Headers;
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

export interface QueryOptions {
  token?: string;
  headers?: Record<string, string>;
}

export interface TestHub {
  topology: Topology;
  config: HubConfig;
  url: string;
  /** Root URL of the gateway, for /health and raw requests. */
  origin: string;
  /** Each subgraph's own URL in the distributed topology. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  database: Database;
  /** Sends an operation through the gateway over HTTP. */
  query<TData = Record<string, any>>(
    document: string,
    variables?: Record<string, unknown>,
    options?: QueryOptions,
  ): Promise<GraphQLResult<TData>>;
  /** A token the hub accepts, for a role (and the organization of a foundation member). */
  token(role: Exclude<Role, 'PUBLIC'>, organizationId?: string, options?: { expiresIn?: string | number }): Promise<string>;
  /** Counts the SQL statements an operation sends, across all subgraphs. */
  countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
  /** Distributed only: stops one subgraph's HTTP service, as when its process goes away. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Distributed only: serves a stopped subgraph again, at the address the supergraph routes to. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the hub for a test file on a fresh database, on port 0: all-in-one (subgraphs in
 * process) or distributed (each subgraph its own HTTP service, the gateway serving a
 * supergraph composed for their ports and routing over HTTP). `env` sets configuration the
 * way the environment does for `npm start`; `options.pdfRenderer` replaces the hub's PDF
 * render threads (and stays the caller's to close).
 */
export async function startTestHub(
  topology: Topology = 'all-in-one',
  env: Record<string, string> = {},
  options: Pick<StartOptions, 'pdfRenderer' | 'logger'> = {},
): Promise<TestHub> {
  // Warnings and errors only unless a test asks for the lines it reads: a line per request would bury the rest.
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const database = await openTestDatabase();
  const databases = Object.fromEntries(SUBGRAPHS.map(({ name }) => [name, database])) as Record<SubgraphName, Database>;
  // Tests see the public record only, unless they ask for the demo pipeline. The response cache
  // is off unless asked for: a test that counts an operation's statements counts its execution,
  // not a lookup of an answer kept from an earlier request (test/response-cache.test.ts tests it).
  const baseEnv = { TOPOLOGY: topology, PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', RESPONSE_CACHE: 'false', ...env };

  const services = new Map<SubgraphName, HttpService>();
  let serve = async (_name: SubgraphName, _port: number): Promise<HttpService> => {
    throw new Error('only the distributed topology serves subgraphs on their own');
  };
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  let cleanup = async () => {};
  let hub: Hub;
  let config: HubConfig;
  try {
    if (topology === 'all-in-one') {
      config = readHubConfig(baseEnv);
      hub = await startHub(config, { databases, ...options, logger });
    } else {
      const peers = new PeerDirectory();
      const running = await startInProcessSubgraphs(databases, peers, { ...seedOptionsOf(readHubConfig(baseEnv)), logger });
      const internalSecret = readHubConfig(baseEnv).internalSecret;
      serve = async (name, port) => {
        const service = await serveRunningSubgraph(running[name], { port, internalSecret, logger: logger.child({ service: name }) });
        services.set(name, service);
        return service;
      };
      for (const { name } of SUBGRAPHS) {
        const service = await serve(name, 0);
        subgraphUrls[name] = service.url;
        // Rules spanning two subgraphs then cross HTTP too, as between separate services.
        peers.register(name, httpTransport(service.url, name, internalSecret));
      }
      for (const subgraph of Object.values(running)) await subgraph.startBackground(readHubConfig(baseEnv).background);
      const composition = composeSupergraph(subgraphUrls as Record<SubgraphName, string>);
      if (!composition.ok) throw new Error(composition.errors.join('\n'));
      const folder = mkdtempSync(join(tmpdir(), 'hub-supergraph-'));
      const supergraphPath = join(folder, 'supergraph.graphql');
      writeFileSync(supergraphPath, composition.supergraphSdl);
      config = readHubConfig({ ...baseEnv, SUPERGRAPH_PATH: supergraphPath });
      hub = await startHub(config, { ...options, logger });
      cleanup = async () => {
        for (const service of services.values()) await service.stop();
        for (const subgraph of Object.values(running)) await subgraph.stopBackground();
        for (const subgraph of Object.values(running)) await subgraph.stop();
        rmSync(folder, { recursive: true, force: true });
      };
    }
  } catch (error) {
    for (const service of services.values()) await service.stop();
    await database.close();
    throw error;
  }

  const url = hub.url;
  const { auth } = config;
  return {
    topology,
    config,
    url,
    origin: new URL(url).origin,
    subgraphUrls,
    database,
    async query(document, variables, options = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query: document, variables }),
      });
      return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
    },
    token(role, organizationId, options = {}) {
      if (auth.key.kind !== 'secret') throw new Error('test tokens need a JWT secret');
      return mintToken({
        secret: auth.key.secret,
        issuer: auth.issuer,
        audience: auth.audience,
        role,
        subject: `test-${role.toLowerCase()}`,
        organizationId: organizationId ?? null,
        expiresIn: options.expiresIn ?? '1h',
      });
    },
    countStatements: (work) => database.statements.measure(work),
    async stopSubgraph(name) {
      const service = services.get(name);
      if (!service) throw new Error(`subgraph ${name} is not being served`);
      services.delete(name);
      await service.stop();
    },
    async restartSubgraph(name) {
      if (services.has(name)) throw new Error(`subgraph ${name} is already being served`);
      const url = subgraphUrls[name];
      if (!url) throw new Error(`subgraph ${name} has no address in this topology`);
      await serve(name, Number(new URL(url).port));
    },
    async stop() {
      await hub.stop();
      await cleanup();
      await database.close();
    },
  };
}
