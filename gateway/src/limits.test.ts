import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { demandControlOf, estimateCost } from './limits.ts';

/**
 * A schema with the demand-control directives as composition keeps them in a supergraph.
 * Every expected cost below is worked by hand: a field costs its weight (1 unless `@cost`
 * says) plus its children times the number of items it returns.
 */
const SDL = `
  directive @cost(weight: Int!) on FIELD_DEFINITION
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

  type Query {
    prefectures: [Prefecture!]! @listSize(assumedSize: 10)
    pipeline(first: Int = 20): Page! @listSize(slicingArguments: ["first"], sizedFields: ["nodes"], requireOneSlicingArgument: false)
    ranked(first: Int = 20): Page! @cost(weight: 500)
    plain: [Item!]!
  }
  type Prefecture { code: ID! counties: [County!]! @listSize(assumedSize: 14) }
  type County { code: ID! items: [Item!]! }
  type Page { total: Int! nodes: [Item!]! tags: [Item!]! }
  type Item { id: ID! }
`;
const schema = buildSchema(SDL);
const demand = demandControlOf(SDL);

function costOf(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  return estimateCost(schema, document, document.definitions[0] as OperationDefinitionNode, variables, demand);
}

describe('the estimated cost of an operation', () => {
  it('takes a list’s length from its @listSize assumedSize', () => {
    // prefectures 1 + 10 × (code 1 + counties (1 + 14 × code 1)) = 1 + 10 × 16
    expect(costOf('{ prefectures { code counties { code } } }')).toBe(161);
  });

  it('takes a page’s length from its slicing argument, or that argument’s default, for the fields it sizes only', () => {
    // pipeline 1 + (total 1 + nodes (1 + 20 × id 1)), 20 being first's default
    expect(costOf('{ pipeline { total nodes { id } } }')).toBe(23);
    // nodes is sized by first (1 + 5); tags is not, and is a list the schema says nothing of (1 + 10)
    expect(costOf('{ pipeline(first: 5) { nodes { id } tags { id } } }')).toBe(18);
    // A variable counts as its value.
    expect(costOf('query ($n: Int) { pipeline(first: $n) { nodes { id } } }', { n: 7 })).toBe(9);
  });

  it('assumes 10 for a list the schema says nothing of, and lets a page without @listSize size its lists by first', () => {
    expect(costOf('{ plain { id } }')).toBe(11);
    // ranked weighs 500; without @listSize its first (default 20) sizes every list below it
    expect(costOf('{ ranked { nodes { id } tags { id } } }')).toBe(500 + 21 + 21);
  });

  it('reads the directives under the names composition gives them when a subgraph does not import them', () => {
    const prefixed = SDL.replaceAll('@listSize', '@cost__listSize').replace('directive @cost__listSize', 'directive @cost__listSize');
    const renamed = demandControlOf(prefixed);
    expect(renamed.listSizes.get('Prefecture.counties')).toEqual({ assumedSize: 14, slicingArguments: [], sizedFields: [] });
    expect(renamed.listSizes.get('Query.pipeline')).toEqual({ assumedSize: null, slicingArguments: ['first'], sizedFields: ['nodes'] });
  });
});
