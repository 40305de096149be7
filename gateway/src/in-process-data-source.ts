import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { PUBLIC_IDENTITY } from '@hub/common';
import type { RunningSubgraph } from '@hub/server';
import type { GatewayContext } from './gateway-context.ts';

/**
 * Routes a subgraph fetch to a subgraph running in this process, answered as its own Apollo
 * Server answers (a query without the request pipeline: packages/server/src/direct-queries.ts),
 * with its own context factory — what an HTTP request gets, less the network. One subgraph
 * context (and so one set of DataLoaders) serves every fetch of one gateway request.
 */
export class InProcessDataSource<TContext extends object> implements GraphQLDataSource {
  private readonly contexts = new WeakMap<object, TContext>();

  constructor(private readonly subgraph: RunningSubgraph<TContext>) {}

  process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    return this.execute(options.request, options.context as Partial<GatewayContext> | undefined);
  }

  /** Runs one fetch of the gateway request whose context is `gatewayContext`. */
  async execute(
    request: Pick<GraphQLDataSourceProcessOptions['request'], 'query' | 'variables' | 'operationName'>,
    gatewayContext: Partial<GatewayContext> | undefined,
  ): Promise<GatewayGraphQLResponse> {
    if (!request.query) throw new Error(`a fetch to subgraph ${this.subgraph.module.name} has no query`);
    return (await this.subgraph.execute(
      { query: request.query, variables: request.variables, operationName: request.operationName },
      this.contextFor(gatewayContext),
    )) as GatewayGraphQLResponse;
  }

  /** In-process there is no network to cross: the identity the gateway established is handed over as it is. */
  private contextFor(gatewayContext: Partial<GatewayContext> | undefined): TContext {
    if (!gatewayContext?.identity) return this.subgraph.createContext(PUBLIC_IDENTITY);
    let context = this.contexts.get(gatewayContext);
    if (!context) {
      context = this.subgraph.createContext(gatewayContext.identity);
      this.contexts.set(gatewayContext, context);
    }
    return context;
  }
}
