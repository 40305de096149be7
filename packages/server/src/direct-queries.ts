import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import {
  execute,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** One operation for a subgraph, as the gateway's fetches and the peers' reads send it. */
export interface SubgraphRequest {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

/** The hooks of a request's plugin listener that a direct query calls; a listener with any other runs through the pipeline. */
const HOOKS_CALLED = new Set(['didResolveOperation', 'didEncounterErrors', 'willSendResponse']);

/** How many query texts are kept parsed and validated (the fetches of the query plans: far fewer). */
const DOCUMENTS_KEPT = 1_000;

/** A text kept parsed and validated, with the operation asked (null, kept too, where the pipeline must answer it). */
interface KeptDocument {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * Runs the queries a subgraph in this process is sent (the gateway's fetches, the peers'
 * reads) without Apollo Server's request pipeline. A lookup's three in-process fetches
 * through the pipeline cost about a fifth of its time on the serving thread (BENCHMARKS.md):
 * hashing each text, the plugins' hooks and the response's head, three times a request.
 *
 * What the pipeline does for a subgraph's query is done the same way here: the text parsed and
 * validated once and kept; the context copied for each operation, as Apollo Server copies it;
 * the plugins' `requestDidStart`, `didResolveOperation`, `didEncounterErrors` and
 * `willSendResponse` called in that order with what they read (the operation and its name,
 * the errors, the response); errors formatted as Apollo Server formats them (a code where
 * none, no stack, then `formatError`). What it does not do, it leaves to the pipeline, which
 * answers as it always has: a mutation, a text that does not parse or validate, an operation
 * that is not in it, variables refused before anything ran, a plugin listening for other hooks.
 * The test (direct-queries.test.ts) holds the two answers equal for each.
 */
export class DirectQueries<TContext extends BaseContext> {
  private readonly documents = new Map<string, KeptDocument | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly plugins: readonly ApolloServerPlugin<TContext>[],
    private readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
    /** The pipeline: Apollo Server's `executeOperation`, for what is not run here. */
    private readonly pipeline: (request: SubgraphRequest, contextValue: TContext) => Promise<FormattedExecutionResult>,
  ) {}

  async execute(request: SubgraphRequest, contextValue: TContext): Promise<FormattedExecutionResult> {
    const kept = this.documentOf(request);
    if (!kept || kept.operation.operation !== 'query') return this.pipeline(request, contextValue);
    const listeners = await this.listeners();
    if (!listeners) return this.pipeline(request, contextValue);
    // Apollo Server copies the context for each operation: what one sets on it stays its own.
    const context = Object.assign(Object.create(Object.getPrototypeOf(contextValue) as object) as TContext, contextValue);
    const operationName = kept.operation.name?.value ?? null;
    // What the listeners read of Apollo Server's request context; they are given nothing else.
    const requestContext = {
      request,
      contextValue: context,
      document: kept.document,
      operation: kept.operation,
      operationName,
      errors: undefined as readonly GraphQLError[] | undefined,
      response: undefined as unknown,
    };
    const asApollo = requestContext as unknown as Parameters<NonNullable<GraphQLRequestListener<TContext>['didResolveOperation']>>[0];
    await Promise.all(listeners.map((listener) => listener.didResolveOperation?.(asApollo)));
    const result = await execute({
      schema: this.schema,
      document: kept.document,
      contextValue: context,
      variableValues: request.variables,
      operationName: request.operationName,
    });
    // Refused before any field ran (its variables): nothing happened, and the pipeline answers the refusal its way.
    if (!('data' in result) || result.data === undefined) return this.pipeline(request, contextValue);
    let errors: GraphQLFormattedError[] | undefined;
    if (result.errors) {
      requestContext.errors = result.errors;
      await Promise.all(listeners.map((listener) => listener.didEncounterErrors?.(asApollo as never)));
      errors = result.errors.map((error) => this.format(error));
    }
    const singleResult: FormattedExecutionResult = { ...result, errors };
    requestContext.response = { body: { kind: 'single', singleResult } };
    await Promise.all(listeners.map((listener) => listener.willSendResponse?.(asApollo as never)));
    return singleResult;
  }

  /**
   * The request's listeners, or undefined if one listens for a hook not called here. The
   * subgraphs' plugins read nothing of the request as it starts: they are given nothing.
   */
  private async listeners(): Promise<GraphQLRequestListener<TContext>[] | undefined> {
    const started = await Promise.all(this.plugins.map((plugin) => plugin.requestDidStart?.({} as never)));
    const listeners: GraphQLRequestListener<TContext>[] = [];
    for (const listener of started) {
      if (!listener) continue;
      if (Object.keys(listener).some((hook) => !HOOKS_CALLED.has(hook))) return undefined;
      listeners.push(listener);
    }
    return listeners;
  }

  private documentOf({ query, operationName }: SubgraphRequest): KeptDocument | null {
    const key = `${operationName ?? ''}\n${query}`;
    let kept = this.documents.get(key);
    if (kept !== undefined) return kept;
    kept = null;
    try {
      const document = parse(query);
      const operation = validate(this.schema, document).length === 0 ? getOperationAST(document, operationName) : null;
      if (operation) kept = { document, operation };
    } catch {
      // Does not parse: the pipeline answers it.
    }
    if (this.documents.size >= DOCUMENTS_KEPT) this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(key, kept);
    return kept;
  }

  /** As Apollo Server formats an error of a response (`normalizeAndFormatErrors`, without stacks). */
  private format(error: GraphQLError): GraphQLFormattedError {
    try {
      const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions['code'] ?? 'INTERNAL_SERVER_ERROR' };
      // Apollo Server takes an error's HTTP status and headers off it for the response's head.
      if (typeof extensions['http'] === 'object' && extensions['http'] !== null) delete extensions['http'];
      return this.formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  }
}
