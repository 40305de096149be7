import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { print, type DocumentNode } from 'graphql';
import { PUBLIC_IDENTITY } from '@hub/common';
import { openDatabase } from '@hub/db';
import { PeerDirectory, type RunningSubgraph } from '@hub/server';
import type { GatewayContext } from '../../gateway/src/gateway-context.ts';
import { InProcessDataSource } from '../../gateway/src/in-process-data-source.ts';
import { startInProcessSubgraphs } from '../../gateway/src/in-process-subgraphs.ts';
import { SUBGRAPHS, isSubgraphName } from '../../gateway/src/subgraphs.ts';

/**
 * A gateway engine alone, with the hub's three subgraphs in its own process on one embedded
 * Postgres server, as the all-in-one hub runs them — but none of the hub's own gateway code
 * around it (no limits, tokens, errors policy, joining of reads or response cache). It tells
 * what the engine itself costs, on the hub's topology:
 *
 * - `ENGINE=apollo`: stock Apollo Gateway on Apollo Server's standalone server; each subgraph
 *   fetch goes to the subgraph in process through the hub's `InProcessDataSource`, answered as
 *   the subgraph's Apollo Server answers it (a query without its pipeline: decision 0051);
 * - `ENGINE=hive-rust`: Hive Gateway's runtime with the Rust query planner; a transport of its
 *   own hands each subgraph fetch to the same `InProcessDataSource`.
 *
 * Every fetch runs as an anonymous caller (PUBLIC), the one identity the bench's reads use.
 */
const engine = process.env.ENGINE;
const port = Number(process.env.PORT);
const dataDir = process.env.DATA_DIR;
const supergraphPath = process.env.SUPERGRAPH_PATH;
if (engine !== 'apollo' && engine !== 'hive-rust') throw new Error('ENGINE must be apollo or hive-rust');
if (!dataDir || !supergraphPath || !port) throw new Error('DATA_DIR, SUPERGRAPH_PATH and PORT must be set');

const supergraphSdl = readFileSync(supergraphPath, 'utf8');
const database = await openDatabase({ dataDir, embedded: 'postgres' });
const running = await startInProcessSubgraphs(
  { shaanxi: database, jiangsu: database, pairing: database },
  new PeerDirectory(),
  { demo: process.env.DEMO_DATA !== 'false' },
);
const subgraphNamed = (name: string): RunningSubgraph<object> => {
  if (!isSubgraphName(name)) throw new Error(`no subgraph "${name}"`);
  return running[name];
};

const stops: (() => Promise<unknown>)[] = [];
if (engine === 'apollo') {
  const gateway = new ApolloGateway({ supergraphSdl, buildService: ({ name }) => new InProcessDataSource(subgraphNamed(name)) });
  const server = new ApolloServer<Pick<GatewayContext, 'identity'>>({ gateway });
  // A context per request with the caller in it: the data source keeps one subgraph context
  // (one set of DataLoaders) per gateway context, as in the hub; without one it makes one a fetch.
  const { url } = await startStandaloneServer(server, { context: async () => ({ identity: PUBLIC_IDENTITY }), listen: { port, host: '127.0.0.1' } });
  stops.push(() => server.stop());
  ready(`${url}graphql`);
} else {
  // One printed text per document the planner made: the HTTP transport memoizes its print too.
  const printed = new WeakMap<DocumentNode, string>();
  const textOf = (document: DocumentNode) => {
    let text = printed.get(document);
    if (text === undefined) printed.set(document, (text = print(document)));
    return text;
  };
  const inProcess = {
    getSubgraphExecutor({ subgraphName }: { subgraphName: string }) {
      const source = new InProcessDataSource(subgraphNamed(subgraphName));
      // The data source keeps one subgraph context per gateway context, as for Apollo Gateway.
      const execute = (request: SubgraphFetch) =>
        source.execute({ query: textOf(request.document), variables: request.variables, operationName: request.operationName }, request.context);
      // The runtime's executor type is generic in the answer's shape; this one answers any.
      return execute as never;
    },
  };
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    transports: { http: inProcess },
    unifiedGraphHandler,
    logging: 'error',
    // Every request's context names the caller, as the hub's does.
    plugins: () => [
      {
        onContextBuilding({ extendContext }: { extendContext: (extension: Pick<GatewayContext, 'identity'>) => void }) {
          extendContext({ identity: PUBLIC_IDENTITY });
        },
      },
    ],
  });
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  stops.push(async () => {
    server.close();
    await gateway.dispose();
  });
  ready(`http://127.0.0.1:${port}/graphql`);
}

/** What Hive's runtime hands a transport's executor, as far as this one reads it. */
interface SubgraphFetch {
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string;
  context?: Partial<GatewayContext>;
}

function ready(url: string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void (async () => {
        for (const stop of stops) await stop().catch(() => {});
        for (const { name } of SUBGRAPHS) await running[name].stop().catch(() => {});
        await database.close();
        process.exit(0);
      })();
    });
  }
  console.log(`${engine} engine with in-process subgraphs ready at ${url}`);
}
