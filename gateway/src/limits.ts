import {
  GraphQLError,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getArgumentValues,
  getIntrospectionQuery,
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
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
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

/** Assumed length of a list field the schema says nothing of (no `@listSize`, no `first`). */
const ASSUMED_LIST_LENGTH = 10;
/** The meta-fields that introspect the schema. */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
/** The nested `ofType` of graphql-js's `getIntrospectionQuery` (its `TypeRef` fragment). */
const TYPE_REF_LEVELS = 9;
/** How many times the standard introspection's size an introspection operation may answer. */
const INTROSPECTION_SIZE_FACTOR = 2;

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
      const walker = new OperationWalker(context.getSchema(), fragmentsOf(context.getDocument()), {}, NO_DEMAND_CONTROL);
      const levels = walker.depth(operation.selectionSet, null);
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
export function costLimitPlugin(limits: OperationLimits, demand: DemandControl = NO_DEMAND_CONTROL): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) return;
          const variables = request.variables ?? {};
          const cost = estimateCost(schema, document, operation, variables, demand);
          if (cost > limits.maxCost) {
            throw refusedForCost(`The operation's estimated cost is ${cost}; at most ${limits.maxCost} is allowed.`, limits.maxCost, cost, operation);
          }
          const size = introspectionSize(schema, document, operation, variables);
          if (size === 0) return;
          const allowed = Math.max(limits.maxCost, INTROSPECTION_SIZE_FACTOR * standardIntrospectionSize(schema));
          if (size > allowed) {
            throw refusedForCost(
              `The operation's introspection answers ${size} fields; at most ${allowed} (twice the whole schema's standard introspection) are allowed.`,
              allowed,
              size,
              operation,
            );
          }
        },
      };
    },
  };
}

function refusedForCost(message: string, limit: number, actual: number, operation: OperationDefinitionNode): GraphQLError {
  const error = limitError('COST_LIMIT', message, limit, actual, operation);
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
  });
}

/**
 * How many fields the operation's introspection (`__schema`, `__type`) answers with, counted
 * exactly on the schema by graphql-js's own introspection resolvers, without building the
 * answer: each (selection, schema element) pair is counted once, so a query that nests
 * `fields { type { fields { type … } } }` to answer millions of fields is counted, not run.
 * Whatever its shape, an introspection no bigger than the standard one costs what it costs.
 */
export function introspectionSize(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = fragmentsOf(document);
  const info = { schema } as GraphQLResolveInfo;
  const memo = new Map<SelectionSetNode, Map<unknown, number>>();

  const flattened = new Map<SelectionSetNode, FieldNode[]>();
  /**
   * The fields a selection set asks for, its fragments spread in; made once per selection set,
   * however many schema elements it is asked of. A cycle of fragments (which validation refuses
   * before this runs) would end at the empty list set while the set is being made.
   */
  const selectionsOf = (selectionSet: SelectionSetNode): FieldNode[] => {
    let fields = flattened.get(selectionSet);
    if (fields) return fields;
    flattened.set(selectionSet, []);
    fields = selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection];
      if (selection.kind === Kind.INLINE_FRAGMENT) return selectionsOf(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      return fragment ? selectionsOf(fragment.selectionSet) : [];
    });
    flattened.set(selectionSet, fields);
    return fields;
  };

  const sizeOf = (selectionSet: SelectionSetNode, type: GraphQLObjectType, source: unknown): number => {
    const known = memo.get(selectionSet)?.get(source);
    if (known !== undefined) return known;
    let total = 0;
    for (const selection of selectionsOf(selectionSet)) {
      total += 1;
      const field = type.getFields()[selection.name.value];
      if (!selection.selectionSet || !field) continue;
      total += answered(selection, field, source);
    }
    if (!memo.has(selectionSet)) memo.set(selectionSet, new Map());
    memo.get(selectionSet)!.set(source, total);
    return total;
  };

  const answered = (selection: FieldNode, field: GraphQLField<unknown, unknown>, source: unknown): number => {
    const named = getNamedType(field.type);
    if (!isObjectType(named) || !field.resolve || !selection.selectionSet) return 0;
    const value = field.resolve(source, getArgumentValues(field, selection, variables), undefined, info);
    const items: unknown[] = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    let total = 0;
    for (const item of items) total += sizeOf(selection.selectionSet, named, item);
    return total;
  };

  let total = 0;
  for (const selection of selectionsOf(operation.selectionSet)) {
    if (selection.name.value === '__schema') total += 1 + answered(selection, SchemaMetaFieldDef, undefined);
    else if (selection.name.value === '__type') total += 1 + answered(selection, TypeMetaFieldDef, undefined);
  }
  return total;
}

const standardSizes = new WeakMap<GraphQLSchema, number>();

/** The size of the fullest standard introspection query (what GraphiQL and code generators send) on this schema. */
function standardIntrospectionSize(schema: GraphQLSchema): number {
  let size = standardSizes.get(schema);
  if (size === undefined) {
    const document = parse(
      // Without `isOneOf`, which Apollo Gateway's query planner does not know.
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    );
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    size = introspectionSize(schema, document, operation, {});
    standardSizes.set(schema, size);
  }
  return size;
}

/** The estimated cost of one operation of `document` (see `OperationWalker.cost`). */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  demand: DemandControl,
): number {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return 0;
  return new OperationWalker(schema, fragmentsOf(document), variables, demand).cost(operation.selectionSet, rootType, null);
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * How many items a list field returns, as its subgraph declares it with `@listSize`: the value
 * of a slicing argument the operation gives (or its default), else `assumedSize`. With
 * `sizedFields`, the field returns a page and those of its fields are the sized lists.
 */
export interface ListSize {
  assumedSize: number | null;
  slicingArguments: readonly string[];
  sizedFields: readonly string[];
}

/**
 * The demand-control directives the subgraphs declare, by `Type.field`, as composition keeps
 * them in the supergraph (the API schema the gateway serves drops them, so they are read here):
 * `@cost(weight:)` for fields whose work does not show in their size (ranking every open project
 * for matches), `@listSize` for how long a list is.
 */
export interface DemandControl {
  weights: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
}

const NO_DEMAND_CONTROL: DemandControl = { weights: new Map(), listSizes: new Map() };

export function demandControlOf(supergraphSdl: string): DemandControl {
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const key = `${definition.name.value}.${field.name.value}`;
      for (const directive of field.directives ?? []) {
        // Composition keeps a directive under its own name when a subgraph imports it, and
        // prefixes it with its spec's name (`cost__listSize`) when one does not.
        const name = directive.name.value.replace(/^\w+__/, '');
        const argument = (argumentName: string) => directive.arguments?.find((given) => given.name.value === argumentName)?.value;
        if (name === 'cost') {
          const weight = argument('weight');
          if (weight?.kind === Kind.INT) weights.set(key, Number(weight.value));
        } else if (name === 'listSize') {
          const assumed = argument('assumedSize');
          listSizes.set(key, {
            assumedSize: assumed?.kind === Kind.INT ? Number(assumed.value) : null,
            slicingArguments: stringsOf(argument('slicingArguments')),
            sizedFields: stringsOf(argument('sizedFields')),
          });
        }
      }
    }
  }
  return { weights, listSizes };
}

function stringsOf(value: ValueNode | undefined): string[] {
  if (!value) return [];
  if (value.kind === Kind.STRING) return [value.value];
  if (value.kind !== Kind.LIST) return [];
  return value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
}

/** The size a page field passes to its lists (all of them, or those `sizedFields` names). */
interface Page {
  size: number;
  sizedFields: readonly string[] | null;
}

class OperationWalker {
  private readonly depthMemo = new Map<string, number>();
  private readonly costMemo = new Map<string, number>();
  private readonly active = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly demand: DemandControl,
  ) {}

  /**
   * The deepest nesting of fields. Inside introspection (`__schema`, `__type`) a run of up to
   * TYPE_REF_LEVELS nested `ofType` counts no level: it unwraps a list or non-null type, which
   * the schema bounds, and the standard introspection query nests nine of them. `ofTypes` is
   * the length of the current run, null outside introspection.
   */
  depth(selectionSet: SelectionSetNode, ofTypes: number | null): number {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const inRun = ofTypes !== null && name === 'ofType';
        const unwraps = inRun && ofTypes < TYPE_REF_LEVELS;
        const within = inRun ? Math.min(ofTypes + 1, TYPE_REF_LEVELS) : ofTypes !== null || INTROSPECTION_ROOTS.has(name) ? 0 : null;
        deepest = Math.max(deepest, (unwraps ? 0 : 1) + (selection.selectionSet ? this.depth(selection.selectionSet, within) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, this.depth(selection.selectionSet, ofTypes));
      } else {
        deepest = Math.max(
          deepest,
          this.viaFragment(selection.name.value, this.depthMemo, (f) => this.depth(f.selectionSet, ofTypes), String(ofTypes)),
        );
      }
    }
    return deepest;
  }

  /**
   * Each field costs its weight (1 unless `@cost` says) plus its children times the number of
   * items it can return: as its `@listSize` says, else its `first` argument (or that
   * argument's default), else the page size its page was asked for, else ASSUMED_LIST_LENGTH.
   * `page` is the size a page field passes to its lists: to all of them, or with `sizedFields`
   * to those it names.
   */
  cost(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, page: Page | null): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!isObjectType(parentType) && !isInterfaceType(parentType)) {
          total += 1;
          continue;
        }
        const field = parentType.getFields()[selection.name.value];
        // Not a field of the type: `__typename`, or the introspection meta-fields, which
        // `introspectionSize` measures by their real size.
        if (!field) {
          total += 1;
          continue;
        }
        const key = `${parentType.name}.${field.name}`;
        const declared = this.demand.listSizes.get(key);
        const sliced = this.slicingSize(selection, field, declared?.slicingArguments ?? ['first']);
        const size = declared ? (sliced ?? declared.assumedSize) : sliced;
        const pageSize = page && (page.sizedFields === null || page.sizedFields.includes(field.name)) ? page.size : null;
        const named = getNamedType(field.type);
        const childPage: Page | null = size === null ? null : { size, sizedFields: declared?.sizedFields.length ? declared.sizedFields : null };
        const children = selection.selectionSet && isCompositeType(named) ? this.cost(selection.selectionSet, named, childPage) : 0;
        const isList = isListType(getNullableType(field.type));
        const items = isList ? (size ?? pageSize ?? ASSUMED_LIST_LENGTH) : 1;
        total += (this.demand.weights.get(key) ?? 1) + items * children;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parentType;
        total += this.cost(selection.selectionSet, isCompositeType(condition) ? condition : parentType, page);
      } else {
        const fragment = this.fragments.get(selection.name.value);
        const condition = fragment ? this.schema.getType(fragment.typeCondition.name.value) : null;
        const type = isCompositeType(condition) ? condition : parentType;
        total += this.viaFragment(
          selection.name.value,
          this.costMemo,
          (found) => this.cost(found.selectionSet, type, page),
          `${type.name}:${page?.size}:${page?.sizedFields?.join(',')}`,
        );
      }
    }
    return total;
  }

  /** The largest slicing argument the selection gives, or the largest default the schema gives them. */
  private slicingSize(selection: FieldNode, field: GraphQLField<unknown, unknown>, names: readonly string[]): number | null {
    let size: number | null = null;
    for (const name of names) {
      const given = selection.arguments?.find((argument) => argument.name.value === name)?.value;
      const value = given ? this.intValue(given) : field.args.find((argument) => argument.name === name)?.defaultValue;
      if (typeof value === 'number') size = Math.max(size ?? 0, value);
    }
    return size;
  }

  private intValue(value: ValueNode): number | null {
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
