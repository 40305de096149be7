import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { PUBLIC_IDENTITY } from '@hub/common';
import type { RunningSubgraph } from '@hub/server';
import type { GatewayContext } from './gateway-context.ts';

/**
 * Routes a subgraph fetch to a subgraph running in this process, through its own Apollo
 * Server pipeline and its own context factory — the same path an HTTP request takes, less
 * the network. One subgraph context (and so one set of DataLoaders) serves every fetch of
 * one gateway request.
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
    const response = await this.subgraph.server.executeOperation(
      { query: request.query, variables: request.variables, operationName: request.operationName },
      { contextValue: this.contextFor(gatewayContext) },
    );
    if (response.body.kind !== 'single') {
      throw new Error(`subgraph ${this.subgraph.module.name} answered with an incremental response`);
    }
    return response.body.singleResult as GatewayGraphQLResponse;
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
