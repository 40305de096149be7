import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ErrorCode } from '@hub/common';
import { Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { ErrorLog } from './errors.ts';

/**
 * A subgraph fetch that got no GraphQL answer at all: the connection was refused, reset or
 * timed out, the subgraph answered 5xx, or its body was not a GraphQL response. Distinct from
 * a subgraph that answered with errors of its own, which the gateway passes on as they are.
 * `delivered` is false only when the request certainly never reached the subgraph, which is
 * what tells a caller whether a change it sent may have been made.
 */
export class SubgraphUnreachable extends Error {
  constructor(
    readonly reason: string,
    readonly delivered: boolean,
    options: { cause: unknown },
  ) {
    super(`subgraph unreachable: ${reason}`, options);
    this.name = 'SubgraphUnreachable';
  }
}

/**
 * Routes to a subgraph over HTTP, telling an unreachable subgraph apart from one that answered.
 * A 4xx is an answer (the subgraph refused the gateway, a contract fault to be masked), so it
 * stays as Apollo Gateway reports it.
 */
export class OutageAwareDataSource<TContext extends Record<string, any>> extends RemoteGraphQLDataSource<TContext> {
  override didEncounterError(error: Error, _request: unknown, response?: { ok: boolean; status: number }): never {
    if (!response) {
      const code = (error as { code?: unknown }).code;
      const delivered = typeof code !== 'string' || !NOT_CONNECTED.has(code);
      throw new SubgraphUnreachable(describeFailure(error), delivered, { cause: error });
    }
    if (response.status >= 500) throw new SubgraphUnreachable(`status ${response.status}`, true, { cause: error });
    if (response.ok) throw new SubgraphUnreachable('the body is not a GraphQL response', true, { cause: error });
    throw error;
  }
}

/** Socket errors raised before a connection exists: nothing of the request was sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Answers a fetch whose subgraph cannot be reached as "these fields are null": one
 * SUBGRAPH_UNAVAILABLE error per field the fetch would have brought, at that field's path, so
 * Apollo Gateway places each error at the caller's path and keeps the rest of the answer. The
 * cause (address, socket error) goes to the log once per request and subgraph, never to the
 * caller.
 */
export function reportingUnreachable(
  subgraph: string,
  source: GraphQLDataSource,
  log: ErrorLog,
): GraphQLDataSource {
  const logged = new WeakSet<object>();
  return {
    async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
      try {
        return await source.process(options);
      } catch (error) {
        if (!(error instanceof SubgraphUnreachable)) throw error;
        const context = (options.context ?? {}) as { requestId?: string };
        if (!logged.has(context)) {
          logged.add(context);
          log.error({ requestId: context.requestId ?? null, code: ErrorCode.SubgraphUnavailable, subgraph, message: error.reason });
        }
        const document = fetchedDocument(options);
        const { message, extensions } = toldToCaller(subgraph, isMutation(document), error.delivered);
        return failedAtEachField(document, options, message, { code: ErrorCode.SubgraphUnavailable, subgraph, ...extensions });
      }
    },
  };
}

/** The document a fetch sends: the one Apollo Gateway parsed, or its text parsed here. */
export function fetchedDocument(options: GraphQLDataSourceProcessOptions): DocumentNode {
  const fetched = 'document' in options ? options.document : undefined;
  return fetched ?? parse(options.request.query ?? '{ __typename }');
}

/** The answer of a fetch that ran nothing: an error at each field it asks for. */
export function failedAtEachField(
  document: DocumentNode,
  options: GraphQLDataSourceProcessOptions,
  message: string,
  extensions: Record<string, unknown>,
): GatewayGraphQLResponse {
  return { errors: fieldPathsOf(document, options.request.variables).map((path) => ({ message, path, extensions })) };
}

/**
 * The paths, in the subgraph's own response, of the fields a fetch asks for: each root field,
 * or for an entity fetch each field of each entity (`_entities.<i>.<field>`), which Apollo
 * Gateway maps back to where that entity sits in the caller's answer.
 */
export function fieldPathsOf(document: DocumentNode, variables: Record<string, unknown> | undefined): (string | number)[][] {
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const roots = responseKeys(operation.selectionSet, () => true);
  const representations = variables?.representations;
  if (!Array.isArray(representations)) return roots.map(({ key }) => [key]);
  const paths: (string | number)[][] = [];
  for (const { key, selectionSet } of roots) {
    if (!selectionSet) continue;
    representations.forEach((representation: { __typename?: string } | null, index) => {
      const typename = representation?.__typename;
      const fields = responseKeys(selectionSet, (condition) => condition === undefined || condition === typename);
      for (const field of fields) paths.push([key, index, field.key]);
    });
  }
  return paths;
}

/**
 * What the caller reads. For a change, whether it was made: certainly not when the request
 * never left the gateway; unknown otherwise, since the subgraph may have committed before it
 * failed to answer.
 */
function toldToCaller(
  subgraph: string,
  change: boolean,
  delivered: boolean,
): { message: string; extensions: { changeMade?: 'NO' | 'UNKNOWN' } } {
  if (!change) {
    return { message: `The ${subgraph} subgraph cannot be reached, so this field is null; the rest of the answer stands.`, extensions: {} };
  }
  if (!delivered) {
    return { message: `The ${subgraph} subgraph cannot be reached; this change was not made.`, extensions: { changeMade: 'NO' } };
  }
  return {
    message: `The ${subgraph} subgraph stopped answering, so whether this change was made is not known: look before sending it again, or send it again with the same idempotency key.`,
    extensions: { changeMade: 'UNKNOWN' },
  };
}

function isMutation(document: DocumentNode): boolean {
  return document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation');
}

function responseKeys(
  selectionSet: SelectionSetNode,
  matches: (typeCondition: string | undefined) => boolean,
): { key: string; selectionSet?: SelectionSetNode }[] {
  const keys = new Map<string, SelectionSetNode | undefined>();
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (key !== '__typename' && !keys.has(key)) keys.set(key, selection.selectionSet);
    } else if (selection.kind === Kind.INLINE_FRAGMENT && matches(selection.typeCondition?.name.value)) {
      for (const inner of responseKeys(selection.selectionSet, matches)) {
        if (!keys.has(inner.key)) keys.set(inner.key, inner.selectionSet);
      }
    }
  }
  return [...keys].map(([key, selectionSet]) => ({ key, selectionSet }));
}

function describeFailure(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} ${code}: ${error.message}` : `${error.name}: ${error.message}`;
}
