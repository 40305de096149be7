import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestListener } from '@apollo/server';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import {
  BREAK,
  execute,
  getOperationAST,
  parse,
  validate,
  visit,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
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

/**
 * The hooks of a request's listener in Apollo Server 5 that a direct query does not call (it
 * calls `didResolveOperation`, `didEncounterErrors` and `willSendResponse`): a listener with
 * any of them makes a query go through the pipeline.
 */
const HOOKS_NOT_CALLED = [
  'didResolveSource',
  'parsingDidStart',
  'validationDidStart',
  'responseForOperation',
  'executionDidStart',
  'didEncounterSubsequentErrors',
  'willSendSubsequentPayload',
] as const;

/**
 * How much query text is kept parsed and validated, in characters: about 250 plans' fetches.
 * Texts, not operations: the query planner writes a literal argument into the fetch's text,
 * so a client that writes its ids into its query makes a text for each id. A parsed document
 * takes some sixty times its text's length (a 1,361-character fetch: about 80 KB).
 */
const TEXT_KEPT = 256 * 1024;

/** A text kept parsed and validated, with the operation it is asked for. */
interface KeptDocument {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** How many times it has been run. */
  runs: number;
  /** Compiled at its second run; null where graphql-jit compiles none, and graphql-js runs it. */
  compiled?: CompiledQuery | null;
}

/**
 * Runs the queries a subgraph in this process is sent (the gateway's fetches, the peers'
 * reads) without Apollo Server's request pipeline: for each fetch it hashed the text, awaited
 * every hook of every plugin and built the response's head. A project lookup makes three; run
 * directly, the serving thread spends about 5 % less on each lookup (decision 0051).
 *
 * What the pipeline does for a subgraph's query is done the same way here: the text parsed and
 * validated once and kept; the context copied for each operation, as Apollo Server copies it;
 * the plugins' `requestDidStart`, `didResolveOperation`, `didEncounterErrors` and
 * `willSendResponse` called in that order with what they read (the operation and its name,
 * the errors, the response); errors formatted as Apollo Server formats them (a code where
 * none, no stack, then `formatError`). What it does not do, it leaves to the pipeline, which
 * answers as it always has: a mutation, a text that does not parse or validate, an operation
 * that is not in it, variables refused before anything ran, a plugin listening for other hooks.
 * A hook that throws, or an `execute` that throws before anything ran, also leaves it to the
 * pipeline. The test (direct-queries.test.ts) holds the two answers equal for each.
 *
 * The server's other settings (validation rules, introspection, a root value) are not read
 * here: subgraph.ts sets none, and says so where they would be set.
 */
export class DirectQueries<TContext extends BaseContext> {
  /** Each text seen, by operation name and text, kept parsed and validated, or marked as the pipeline's to answer. */
  private readonly documents: LRUCache<string, KeptDocument | 'pipeline'>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly plugins: readonly ApolloServerPlugin<TContext>[],
    private readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
    /** The pipeline: Apollo Server's `executeOperation`, for what is not run here. */
    private readonly pipeline: (request: SubgraphRequest, contextValue: TContext) => Promise<FormattedExecutionResult>,
    textKept = TEXT_KEPT,
  ) {
    this.documents = new LRUCache({ maxSize: textKept, sizeCalculation: (_kept, key) => Math.max(1, key.length) });
  }

  /** How many texts are kept parsed now. */
  get textsKept(): number {
    return this.documents.size;
  }

  /** How many of the texts kept are compiled. */
  get textsCompiled(): number {
    let compiled = 0;
    for (const kept of this.documents.values()) if (kept !== 'pipeline' && kept.compiled) compiled += 1;
    return compiled;
  }

  async execute(request: SubgraphRequest, contextValue: TContext): Promise<FormattedExecutionResult> {
    const kept = this.documentOf(request);
    if (!kept || kept.operation.operation !== 'query') return this.pipeline(request, contextValue);
    // Apollo Server copies the context for each operation: what one sets on it stays its own.
    const context = Object.assign(Object.create(Object.getPrototypeOf(contextValue) as object) as TContext, contextValue);
    // Apollo Server's request context, as far as a listener may read it before the answer is sent.
    const requestContext = {
      request,
      contextValue: context,
      schema: this.schema,
      source: request.query,
      document: kept.document,
      operation: kept.operation,
      operationName: kept.operation.name?.value ?? null,
      metrics: {},
      errors: undefined as readonly GraphQLError[] | undefined,
      response: { http: { headers: new HeaderMap(), status: undefined }, body: undefined as unknown },
    };
    const asApollo = requestContext as unknown as Parameters<NonNullable<GraphQLRequestListener<TContext>['didResolveOperation']>>[0];
    let listeners: GraphQLRequestListener<TContext>[];
    let result: ExecutionResult;
    try {
      const started = await this.listeners(asApollo);
      if (!started) return this.pipeline(request, contextValue);
      listeners = started;
      await Promise.all(listeners.map((listener) => listener.didResolveOperation?.(asApollo)));
      result = await this.run(kept, request, context);
    } catch {
      // A hook refused, or execution could not start: no field ran, and the pipeline answers it its way.
      return this.pipeline(request, contextValue);
    }
    // Refused before any field ran (its variables): nothing happened, and the pipeline answers the refusal its way.
    if (result.data === undefined) return this.pipeline(request, contextValue);
    let errors: GraphQLFormattedError[] | undefined;
    if (result.errors) {
      requestContext.errors = result.errors;
      await Promise.all(listeners.map((listener) => listener.didEncounterErrors?.(asApollo as never)));
      errors = result.errors.map((error) => this.format(error));
    }
    const singleResult: FormattedExecutionResult = { ...result, errors };
    requestContext.response.body = { kind: 'single', singleResult };
    await Promise.all(listeners.map((listener) => listener.willSendResponse?.(asApollo as never)));
    return singleResult;
  }

  /** The request's listeners, or undefined if one has a hook not called here. */
  private async listeners(requestContext: Parameters<NonNullable<ApolloServerPlugin<TContext>['requestDidStart']>>[0]): Promise<GraphQLRequestListener<TContext>[] | undefined> {
    const started = await Promise.all(this.plugins.map((plugin) => plugin.requestDidStart?.(requestContext)));
    const listeners: GraphQLRequestListener<TContext>[] = [];
    for (const listener of started) {
      if (!listener) continue;
      if (HOOKS_NOT_CALLED.some((hook) => typeof listener[hook] === 'function')) return undefined;
      listeners.push(listener);
    }
    return listeners;
  }

  /**
   * The kept document run by graphql-js the first time it is asked, and from the second on by
   * the code graphql-jit compiled of it then (where it compiles none, by graphql-js still): a
   * text asked once, a client's literal id written into a fetch, is not worth compiling.
   */
  private run(kept: KeptDocument, request: SubgraphRequest, contextValue: TContext): Promise<ExecutionResult> | ExecutionResult {
    if (kept.compiled === undefined && kept.runs++ > 0) {
      kept.compiled = compiledOrNull(this.schema, kept.document, request.operationName);
    }
    if (!kept.compiled) {
      return execute({ schema: this.schema, document: kept.document, contextValue, variableValues: request.variables, operationName: request.operationName });
    }
    const result = kept.compiled.query(undefined, contextValue, request.variables ?? {});
    return isPromise(result) ? result.then(withGraphqlJsErrors) : withGraphqlJsErrors(result);
  }

  private documentOf({ query, operationName }: SubgraphRequest): KeptDocument | null {
    const key = `${operationName ?? ''}\n${query}`;
    const kept = this.documents.get(key);
    if (kept !== undefined) return kept === 'pipeline' ? null : kept;
    let parsed: KeptDocument | null = null;
    try {
      const document = parse(query);
      const operation = validate(this.schema, document).length === 0 ? getOperationAST(document, operationName) : null;
      if (operation) parsed = { document, operation, runs: 0 };
    } catch {
      // Does not parse: the pipeline answers it.
    }
    this.documents.set(key, parsed ?? 'pipeline');
    return parsed;
  }

  /** As Apollo Server formats an error of a response (`normalizeAndFormatErrors`, without stacks). */
  private format(error: GraphQLError): GraphQLFormattedError {
    try {
      const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions['code'] ?? 'INTERNAL_SERVER_ERROR' };
      // Apollo Server takes an error's HTTP status and headers off it for the response's head.
      if (isHttpHead(extensions['http'])) delete extensions['http'];
      return this.formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  }
}

/**
 * Whether a variable is written inside an input object literal (`f: { limit: $limit }`).
 * graphql-jit 0.8.9 gives such a field null when the variable is not given, where graphql-js
 * leaves it out and the field's default applies; such a text is left to graphql-js.
 */
function variableInObjectLiteral(document: DocumentNode): boolean {
  let depth = 0;
  let found = false;
  visit(document, {
    ObjectValue: { enter: () => void (depth += 1), leave: () => void (depth -= 1) },
    Variable: () => {
      if (depth === 0) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** What graphql-jit compiles of a document, or null where it compiles none, or should not (above). */
function compiledOrNull(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
  if (variableInObjectLiteral(document)) return null;
  try {
    const compiled = compileQuery(schema, document, operationName);
    return isCompiledQuery(compiled) ? compiled : null;
  } catch {
    return null;
  }
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * graphql-jit's errors made as graphql-js makes them, for whatever reads them after (the
 * plugins, `formatError`): its own class leaves `extensions` undefined where graphql-js gives
 * an empty object, and its `locations` are not assignable properties.
 */
function withGraphqlJsErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => {
    const made = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? undefined });
    (made as { locations: GraphQLError['locations'] }).locations = error.locations;
    return made;
  });
  return { ...result, errors };
}

/** Apollo Server's `isPartialHTTPGraphQLHead`: what an error may carry for the response's head. */
function isHttpHead(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const head = value as { status?: unknown; headers?: unknown };
  return (!('status' in head) || typeof head.status === 'number') && (!('headers' in head) || head.headers instanceof Map);
}
