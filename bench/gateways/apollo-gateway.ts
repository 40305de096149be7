import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { peerGatewaySettings, signPublic, type PeerGatewaySettings } from './signing.ts';

/**
 * Stock Apollo Gateway on Apollo Server's standalone HTTP server, set up as their docs show,
 * routing to the hub's subgraph services. The only addition is the signature the subgraphs
 * demand: it is made in the fetch, where the body is the exact bytes sent (as the hub's own
 * gateway/src/signed-data-source.ts does).
 */
class SignedDataSource extends RemoteGraphQLDataSource {
  constructor(url: string, settings: PeerGatewaySettings) {
    super({ url });
    const send = this.fetcher;
    this.fetcher = async (target, init = {}) => {
      const signed = await signPublic(settings, url, init.body ?? '');
      return send(target, { ...init, headers: { ...(init.headers as Record<string, string>), ...signed } });
    };
  }
}

const settings = peerGatewaySettings();
const gateway = new ApolloGateway({
  supergraphSdl: settings.supergraphSdl,
  buildService: ({ url }) => new SignedDataSource(url as string, settings),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: settings.port, host: '127.0.0.1' } });
// Before the line that says it is ready: whoever acts on that line may stop it at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.stop().finally(() => process.exit(0)));
}
console.log(`Apollo Gateway ready at ${url}graphql`);
