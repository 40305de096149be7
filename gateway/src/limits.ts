import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  parse,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { MAX_PAGE_SIZE } from '@hub/common';

export interface OperationLimits {
  /** Deepest nesting of fields an operation may have. */
  maxDepth: number;
  /** Most aliased fields a document may have. */
  maxAliases: number;
  /** Highest estimated cost an operation may have (see `estimateCost`). */
  maxCost: number;
}

/** Assumed length of a list field that takes no `first` argument. */
const ASSUMED_LIST_LENGTH = 10;

function limitError(reason: string, message: string, limit: number, actual: number, node: OperationDefinitionNode) {
  return new GraphQLError(message, { nodes: [node], extensions: { reason, limit, actual } });
}

/**
 * Validation rules for the gateway: depth and aliases (cost is `costLimitPlugin`). Fragments are expanded
 * once each (memoized), so a fragment "bomb" costs its real size without being walked
 * exponentially, and a fragment cycle (refused by graphql's own rule) cannot loop here.
 */
export function operationLimitRules(limits: OperationLimits) {
  const aliases = (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias) count += 1;
      },
      Document: {
        leave(document) {
          if (count > limits.maxAliases) {
            const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
            context.reportError(
              limitError(
                'ALIAS_LIMIT',
                `The document has ${count} aliases; at most ${limits.maxAliases} are allowed.`,
                limits.maxAliases,
                count,
                operation as OperationDefinitionNode,
              ),
            );
          }
        },
      },
    };
  };

  const depth = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const walker = new OperationWalker(context.getSchema(), fragmentsOf(context.getDocument()), {});
      const levels = walker.depth(operation.selectionSet);
      if (levels > limits.maxDepth) {
        context.reportError(
          limitError('DEPTH_LIMIT', `The operation is ${levels} levels deep; at most ${limits.maxDepth} are allowed.`, limits.maxDepth, levels, operation),
        );
      }
    },
  });

  return [aliases, depth];
}

/**
 * Cost needs the variables (`first: $n`), which validation does not have, so it is checked
 * once the operation is resolved, before anything is planned or fetched.
 */
export function costLimitPlugin(limits: OperationLimits, weights: FieldWeights = new Map()): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const rootType = schema.getRootType(operation.operation);
          if (!rootType) return;
          const walker = new OperationWalker(schema, fragmentsOf(document), request.variables ?? {}, weights);
          const cost = walker.cost(operation.selectionSet, rootType, null);
          if (cost > limits.maxCost) {
            const error = limitError(
              'COST_LIMIT',
              `The operation's estimated cost is ${cost}; at most ${limits.maxCost} is allowed.`,
              limits.maxCost,
              cost,
              operation,
            );
            throw new GraphQLError(error.message, {
              nodes: error.nodes,
              extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** What resolving a field once costs, by `Type.field`, where it is not 1. */
export type FieldWeights = ReadonlyMap<string, number>;

/**
 * The `@cost(weight:)` the subgraphs declare, as composition keeps it in the supergraph, for
 * fields whose work does not show in their page size (ranking every open project for
 * matches). The API schema the gateway serves drops the directive, so it is read here.
 */
export function fieldWeightsOf(supergraphSdl: string): FieldWeights {
  const weights = new Map<string, number>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const cost = field.directives?.find((directive) => directive.name.value === 'cost');
      const weight = cost?.arguments?.find((argument) => argument.name.value === 'weight')?.value;
      if (weight?.kind === Kind.INT) weights.set(`${definition.name.value}.${field.name.value}`, Number(weight.value));
    }
  }
  return weights;
}

class OperationWalker {
  private readonly depthMemo = new Map<string, number>();
  private readonly costMemo = new Map<string, number>();
  private readonly active = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly weights: FieldWeights = new Map(),
  ) {}

  depth(selectionSet: SelectionSetNode): number {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? this.depth(selection.selectionSet) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, this.depth(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, this.viaFragment(selection.name.value, this.depthMemo, (f) => this.depth(f.selectionSet)));
      }
    }
    return deepest;
  }

  /**
   * Each field costs 1 plus its children times the number of items it can return: its
   * `first` argument, the page size its connection was asked for, or ASSUMED_LIST_LENGTH.
   */
  cost(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, pageSize: number | null): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!isObjectType(parentType) && !isInterfaceType(parentType)) {
          total += 1;
          continue;
        }
        const field = parentType.getFields()[selection.name.value];
        if (!field) {
          total += 1;
          continue;
        }
        const first = this.firstArgument(selection.arguments?.find((a) => a.name.value === 'first')?.value);
        const isList = isListType(getNullableType(field.type));
        const named = getNamedType(field.type);
        const children =
          selection.selectionSet && isCompositeType(named) ? this.cost(selection.selectionSet, named, first) : 0;
        const items = isList ? (first ?? pageSize ?? ASSUMED_LIST_LENGTH) : 1;
        total += (this.weights.get(`${parentType.name}.${field.name}`) ?? 1) + items * children;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parentType;
        total += this.cost(selection.selectionSet, isCompositeType(condition) ? condition : parentType, pageSize);
      } else {
        const fragment = this.fragments.get(selection.name.value);
        const condition = fragment ? this.schema.getType(fragment.typeCondition.name.value) : null;
        const type = isCompositeType(condition) ? condition : parentType;
        total += this.viaFragment(
          selection.name.value,
          this.costMemo,
          (found) => this.cost(found.selectionSet, type, pageSize),
          `${type.name}:${pageSize}`,
        );
      }
    }
    return total;
  }

  private firstArgument(value: ValueNode | undefined): number | null {
    if (!value) return null;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const given = this.variables[value.name.value];
      return typeof given === 'number' ? given : MAX_PAGE_SIZE;
    }
    return null;
  }

  private viaFragment(
    name: string,
    memo: Map<string, number>,
    measure: (fragment: FragmentDefinitionNode) => number,
    variant = '',
  ) {
    const key = `${name}|${variant}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    if (!fragment || this.active.has(name)) return 0;
    this.active.add(name);
    const value = measure(fragment);
    this.active.delete(name);
    memo.set(key, value);
    return value;
  }
}

/**
 * Refuses, as the caller's mistake, what the gateway cannot run: a document whose operation
 * cannot be chosen (several without operationName) and subscriptions (not served).
 */
export function operationKindPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (!operation) {
            throw new GraphQLError(
              request.operationName
                ? `The document has no operation named "${String(request.operationName).slice(0, 100)}".`
                : 'The document has several operations; say which to run with operationName.',
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
            );
          }
          if (operation.operation === 'subscription') {
            throw new GraphQLError('The hub does not serve subscriptions.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
