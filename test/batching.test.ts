import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';
import { counties, organizations, projectNeeds } from '../subgraphs/shaanxi/src/db/schema.ts';

/**
 * Every list-to-parent lookup and every entity reference goes through a per-request
 * DataLoader, so the SQL an operation sends does not grow with the page size.
 */
const COUNTIES_WITH_EVERYTHING = /* GraphQL */ `
  query Counties($first: Int!) {
    counties(first: $first) {
      totalCount
      nodes {
        code
        prefecture { code nameZh pairedJiangsuCity { nameZh } }
        pairedJiangsuCity { code }
        jiangsuCountyPartners { jiangsuCountyNameZh }
        organizations { id nameZh homeCounty { code } }
        projects { id titleZh raisedBy { id } ceremony { id } }
        signingCeremonies { id }
      }
    }
  }
`;

describe('statements per operation', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
    // Give every county an organization and a project, so each level has rows to batch.
    const db = hub.database.db;
    const allCounties = await db.select({ code: counties.code }).from(counties);
    await db.insert(organizations).values(
      allCounties.map(({ code }) => ({
        id: `test-org-${code}`,
        nameZh: `测试社会组织 ${code}`,
        kind: 'SOCIAL_SERVICE_INSTITUTION' as const,
        homeCountyCode: code,
        provenanceKind: 'SYNTHETIC_DEMO',
      })),
    );
    await db.insert(projectNeeds).values(
      allCounties.map(({ code }) => ({
        countyCode: code,
        raisedByOrganizationId: `test-org-${code}`,
        titleZh: `测试项目 ${code}`,
        field: 'EDUCATION' as const,
        // Published, so the public lists them.
        publishedAt: new Date(),
        provenanceKind: 'SYNTHETIC_DEMO',
      })),
    );
  });
  afterAll(() => hub?.stop());

  async function statementsFor(first: number) {
    const { result, statements } = await hub.countStatements(() => hub.query(COUNTIES_WITH_EVERYTHING, { first }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.counties.nodes).toHaveLength(first);
    for (const county of result.data!.counties.nodes) {
      expect(county.organizations.length).toBeGreaterThan(0);
      expect(county.projects.length).toBeGreaterThan(0);
    }
    return statements;
  }

  it('costs the same number of statements for 5 and for 50 counties with their organizations and projects', async () => {
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    expect(fifty.length).toBe(five.length);
    // One statement per batched level, not one per county: far fewer than the counties fetched.
    expect(fifty.length).toBeLessThan(20);
  });

  it('resolves county references from another subgraph in one batched statement', async () => {
    const { result, statements } = await hub.countStatements(() =>
      hub.query(`{ ceremony(id: "2017-12-28-xian") { signatoryCounties { nameZh organizations { id } } } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.ceremony.signatoryCounties).toHaveLength(4);
    const countyLookups = statements.filter((s) => /from "shaanxi"\."county"/.test(s));
    expect(countyLookups).toHaveLength(1);
  });
});
