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

const EVERY_FOUNDATION_MATCHES = /* GraphQL */ `
  query EveryFoundationMatches($first: Int!) {
    jiangsuOrganizations(filter: { provenance: [SYNTHETIC_DEMO] }) {
      id
      matches(first: $first) { totalCount nodes { score project { id titleZh } } }
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

  it('ranks a list of foundations, each with its own profile, in the statements of one', async () => {
    const small = hubs.small!;
    const large = hubs.large!;
    const office = await small.token('JIANGSU_OFFICE');
    const officeOfLarge = await large.token('JIANGSU_OFFICE');
    const run = async (hub: TestHub, token: string, first: number) => {
      const { result, statements } = await hub.countStatements(() => hub.query(EVERY_FOUNDATION_MATCHES, { first }, { token }));
      expect(result.errors).toBeUndefined();
      // The three demo foundations, the private profile too for an office.
      const organizations = result.data!.jiangsuOrganizations as { matches: { totalCount: number } }[];
      expect(organizations).toHaveLength(3);
      for (const organization of organizations) expect(organization.matches.totalCount).toBeGreaterThan(0);
      return statements;
    };
    const few = await run(small, office, 5);
    expect(await run(small, office, 50)).toHaveLength(few.length);
    expect(await run(large, officeOfLarge, 50)).toHaveLength(few.length);
    // One candidate statement, and one read of the needs for all three rankings together.
    expect(few.filter((statement) => /from "pairing"\."project_pipeline" where .*"stage" in/.test(statement))).toHaveLength(1);
    expect(few.length).toBeLessThan(25);
  });
});
