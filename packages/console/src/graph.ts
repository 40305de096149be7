import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useSession } from './session.tsx';

/**
 * How the console talks to the hub: each operation is a trusted document (graphql-codegen's
 * client preset hashed it with sha256 at build time, and `npm run documents` put it in the hub's
 * manifest), sent as `{ documentId, variables }` only, never as text; a hub that requires trusted
 * documents runs it, and runs nothing else.
 */
const ENDPOINT = '/graphql';

/** An error the graph or the hub answered with: its `extensions.code` and message. */
export class GraphError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'GraphError';
    this.code = code;
  }
}

interface GraphResponse<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The id the client preset gave a document: `sha256:<hex>` of its printed text. */
export function documentIdOf(document: TypedDocumentNode<unknown, never>): string {
  const id = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!id) throw new Error('a document without its persisted id: run the console through codegen (npm run codegen)');
  return id;
}

/** Runs one operation; throws a GraphError for the first error when there are errors. */
export async function runOperation<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables, token: string | null): Promise<TData> {
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ documentId: documentIdOf(document as TypedDocumentNode<unknown, never>), variables }),
    });
  } catch (error) {
    throw new GraphError('NETWORK', (error as Error).message);
  }
  let body: GraphResponse<TData>;
  try {
    body = (await response.json()) as GraphResponse<TData>;
  } catch {
    throw new GraphError(`HTTP_${response.status}`, response.statusText || 'The hub answered with something other than JSON.');
  }
  const first = body.errors?.[0];
  if (first) throw new GraphError(first.extensions?.code ?? `HTTP_${response.status}`, first.message);
  if (!body.data) throw new GraphError(`HTTP_${response.status}`, 'The hub answered with no data.');
  return body.data;
}

/**
 * A query's state, cached by document, variables and who is signed in (another token may see
 * other records). While new variables load, the previous answer stays on screen.
 */
export function useGraphQuery<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): UseQueryResult<TData, GraphError> {
  const { token } = useSession();
  return useQuery<TData, GraphError>({
    queryKey: [documentIdOf(document as TypedDocumentNode<unknown, never>), variables, token],
    queryFn: () => runOperation(document, variables, token),
    placeholderData: keepPreviousData,
  });
}
