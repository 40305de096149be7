import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

/**
 * A page of matches costs a fixed number of SQL statements: one for the candidates in the
 * pairing, a fixed few in each province for all of them, and the gateway's batched entity
 * fetches for the page (docs/decisions/0026-matching.md). Neither the page size nor the number
 * of projects changes it.
 */
const FOUNDATION_MATCHES = /* GraphQL */ `
  query FoundationMatches($first: Int!) {
    jiangsuOrganization(id: "js-demo-jiangnan-education") {
      matches(first: $first) {
        totalCount
        nodes {
          score
          reasons { code text }
          stillSought { yuan }
          project { id titleZh stage amountSought { yuan } pledged { yuan } county { nameZh deepPoverty prefecture { nameZh } } matchedOrganization { nameZh } }
        }
      }
    }
  }
`;

const INLINE_MATCHES = /* GraphQL */ `
  query InlineMatches($first: Int!) {
    matchProjects(
      criteria: { fields: [MEDICAL_AID, DISABILITY], prefectureCodes: ["610900"], pairedWithCityCode: "320400", prioritizeDeepPoverty: true, largestGrant: { fen: 50000000 } }
      first: $first
    ) {
      totalCount
      nodes { score reasons { code } project { id titleZh stage county { nameZh } raisedBy { nameZh } } }
    }
  }
`;

describe('statements per page of matches', () => {
  const hubs: Record<'small' | 'large', TestHub | undefined> = { small: undefined, large: undefined };

  beforeAll(async () => {
    // 80 and 800 demo projects: 16 and 160 of them open for funding.
    hubs.small = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    hubs.large = await startTestHub('all-in-one', { DEMO_DATA: 'true', DEMO_SCALE: '10' });
  }, 240_000);
  afterAll(async () => {
    await hubs.small?.stop();
    await hubs.large?.stop();
  });

  async function statementsFor(hub: TestHub, query: string, first: number, expectedTotal: number) {
    const { result, statements } = await hub.countStatements(() => hub.query(query, { first }));
    expect(result.errors).toBeUndefined();
    const page = (result.data!.jiangsuOrganization?.matches ?? result.data!.matchProjects) as { totalCount: number; nodes: unknown[] };
    expect(page.totalCount).toBe(expectedTotal);
    expect(page.nodes).toHaveLength(Math.min(first, expectedTotal));
    return statements;
  }

  it.each([
    ['a foundation\'s profile', FOUNDATION_MATCHES],
    ['criteria given inline', INLINE_MATCHES],
  ])('costs the same for 5 and 50 matches, and for 80 and 800 demo projects, with %s', async (_, query) => {
    const small = hubs.small!;
    const large = hubs.large!;
    const openSmall = 16;
    const openLarge = 160;
    const five = await statementsFor(small, query, 5, openSmall);
    const fifty = await statementsFor(small, query, 50, openSmall);
    const fiveOfMany = await statementsFor(large, query, 5, openLarge);
    const fiftyOfMany = await statementsFor(large, query, 50, openLarge);
    expect(fifty).toHaveLength(five.length);
    expect(fiveOfMany).toHaveLength(five.length);
    expect(fiftyOfMany).toHaveLength(five.length);
    // A handful per subgraph, not one per project.
    expect(fiftyOfMany.length).toBeLessThan(20);
  });
});
