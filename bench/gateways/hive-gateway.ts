import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import http from '@graphql-mesh/transport-http';
import { peerGatewaySettings, signPublic } from './signing.ts';

/**
 * Hive Gateway's runtime on Node's HTTP server, routing to the hub's subgraph services over
 * HTTP. `QUERY_PLANNER=rust` plans with Hive Router's Rust query planner
 * (@graphql-hive/router-runtime); otherwise the runtime's own JavaScript federation planner.
 * Each subgraph request is signed in the fetch hook, where its body is final.
 */
const settings = peerGatewaySettings();
const rust = process.env.QUERY_PLANNER === 'rust';

const gateway = createGatewayRuntime({
  supergraph: settings.supergraphSdl,
  transports: { http },
  ...(rust ? { unifiedGraphHandler } : {}),
  logging: 'error',
  plugins: () => [
    {
      async onFetch({ url, options, setOptions }) {
        const body = typeof options.body === 'string' ? options.body : '';
        const signed = await signPublic(settings, url, body);
        setOptions({ ...options, headers: { ...(options.headers as Record<string, string>), ...signed } });
      },
    },
  ],
});

const server = createServer(gateway);
server.listen(settings.port, '127.0.0.1', () => {
  console.log(`Hive Gateway (${rust ? 'Rust' : 'JavaScript'} query planner) ready at http://127.0.0.1:${settings.port}/graphql`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
  });
}
