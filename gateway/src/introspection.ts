import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * Introspection fields that graphql-js serves but Apollo Gateway's query planner does not know
 * (its own copy of the introspection types predates them): planned, a query asking for one
 * fails as an internal error. They are refused here as the caller's, with what to ask instead.
 */
const UNPLANNABLE = new Map([['__Type.isOneOf', 'ask getIntrospectionQuery() without `oneOf`; the graph has no @oneOf input']]);

export function plannableIntrospectionRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const parent = context.getParentType();
      const field = `${parent?.name}.${node.name.value}`;
      const instead = UNPLANNABLE.get(field);
      if (instead) context.reportError(new GraphQLError(`This gateway does not serve \`${field}\`: ${instead}.`, { nodes: [node] }));
    },
  };
}
