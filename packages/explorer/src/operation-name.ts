import { Kind, parse } from 'graphql';

/**
 * GraphiQL names the operation to run from its last reading of the editor: run at once after a
 * switch of tabs, it can send the new tab's document with the old tab's operation name, which
 * the hub refuses (OPERATION_RESOLUTION_FAILURE). A name the document does not define is sent as
 * the document's only operation's, or not at all.
 */
export function withOwnOperationName<Params extends { query: string; operationName?: string | null }>(params: Params): Params {
  if (!params.operationName) return params;
  let names: string[];
  try {
    names = parse(params.query).definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : []));
  } catch {
    // The hub says what is wrong with a document that does not parse.
    return params;
  }
  if (names.includes(params.operationName)) return params;
  const { operationName: _stale, ...rest } = params;
  return (names.length === 1 ? { ...rest, operationName: names[0]! } : rest) as Params;
}
