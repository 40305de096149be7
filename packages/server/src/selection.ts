import { Kind, type GraphQLFieldResolver, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether what is asked of the object a resolver returns names any of `fields`: looked for in
 * every node of the resolver's field (`project(id)`, or `_entities` and its fragments on
 * `typeName`), through inline fragments and named ones, one level down. A field under `@skip` or
 * `@include` counts as asked: the answer only lets a resolver read ahead what its object's own
 * resolvers would read next, and reading it for nothing costs no more than a join.
 */
export function asksFor(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, typeName: string, fields: readonly string[]): boolean {
  // An entity fetch calls this once per representation, all with the same nodes: one walk serves them.
  let answers = answered.get(info.fieldNodes);
  if (!answers) answered.set(info.fieldNodes, (answers = new Map()));
  const key = `${typeName}:${fields.join(',')}`;
  let answer = answers.get(key);
  if (answer === undefined) answers.set(key, (answer = walk(info, typeName, fields)));
  return answer;
}

/**
 * What `asksFor` found for the nodes of a field, by type and fields, kept as long as the nodes'
 * list is held: by graphql-js, one execution of the field; by a query graphql-jit compiled, which
 * gives each field one list for good (0054), as long as the compiled query is kept.
 */
const answered = new WeakMap<GraphQLResolveInfo['fieldNodes'], Map<string, boolean>>();

function walk(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, typeName: string, fields: readonly string[]): boolean {
  const seen = new Set<string>();
  const within = (selectionSet: SelectionSetNode | undefined): boolean => {
    if (!selectionSet) return false;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (fields.includes(selection.name.value)) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value;
        if ((on === undefined || on === typeName) && within(selection.selectionSet)) return true;
      } else {
        const name = selection.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        const fragment = info.fragments[name];
        if (fragment && fragment.typeCondition.name.value === typeName && within(fragment.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => within(node.selectionSet));
}

/**
 * `__resolveReference` as @apollo/subgraph calls it, with the request's context and the
 * `_entities` field's info, typed to stand in a resolver map (whose type takes every entry
 * for a field resolver, of four arguments).
 */
export function referenceResolver<Reference, Context>(
  resolve: (reference: Reference, context: Context, info: GraphQLResolveInfo) => unknown,
): GraphQLFieldResolver<Reference, Context> {
  return resolve as unknown as GraphQLFieldResolver<Reference, Context>;
}
