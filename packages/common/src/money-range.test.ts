import { describe, expect, it } from 'vitest';
import { buildSchema, graphql, type GraphQLObjectType } from 'graphql';
import { moneyFromFen, MoneyResolver } from './money.ts';

/**
 * How the graph answers a sum beyond 2^53 − 1 fen: `fen` is null with an error at its path
 * (AMOUNT_BEYOND_EXACT_RANGE), `yuan` is exact, and the rest of the answer stays.
 */
describe('Money beyond the exact range of fen', () => {
  const schema = buildSchema(`
    scalar SafeInt
    type Money { fen: SafeInt yuan: String! currency: String! }
    type Query { total: Money! withinRange: Money! count: Int! }
  `);
  (schema.getType('Money') as GraphQLObjectType).getFields().fen!.resolve = MoneyResolver.fen;
  const rootValue = {
    total: () => moneyFromFen('9007199254740992'),
    withinRange: () => moneyFromFen(9_007_199_254_740_991n),
    count: () => 2,
  };

  it('answers yuan exactly, fen null with a stable code at its path, and keeps the rest', async () => {
    const result = await graphql({ schema, rootValue, source: '{ total { fen yuan currency } withinRange { fen yuan } count }' });
    expect(result.data).toEqual({
      total: { fen: null, yuan: '90071992547409.92', currency: 'CNY' },
      withinRange: { fen: 9_007_199_254_740_991, yuan: '90071992547409.91' },
      count: 2,
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.path).toEqual(['total', 'fen']);
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'AMOUNT_BEYOND_EXACT_RANGE', yuan: '90071992547409.92' });
  });
});
