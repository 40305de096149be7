import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceIdentity, type Identity } from '@hub/common';
import { signIdentity } from '@hub/server';
import { moveThrough, startTestHub, type TestHub } from '@hub/testkit';

/**
 * The parts of a match's score (docs/decisions/0026-matching.md): Shaanxi's `Project.needFit`
 * and Jiangsu's `Project.fundingFit` are not in the public graph and answer the pairing
 * subgraph's service identity only. Where the subgraphs are services of their own, anyone who
 * holds the internal secret can reach them directly; so each is asked over HTTP as another
 * subgraph's service, as each user role, and as the pairing, with the identity signed as the
 * gateway signs it.
 */
const RUIHUA = 'js-ruihua-charity-foundation';

// 白河县 (安康, 610929), education, 10,000 yuan sought.
const COUNTY = '610929';
const AMOUNT_SOUGHT_FEN = 1_000_000;

// Fund education in 白河: FIELD 40 + PREFERRED_COUNTY 30 (no priorities; Chinese reports accepted).
const NEED_CRITERIA = {
  fields: ['EDUCATION'],
  prefectureCodes: [],
  countyCodes: [COUNTY],
  prioritizeDeepPoverty: false,
  prioritizeRevolutionaryOldArea: false,
  reportingLanguages: ['ZH'],
};
// 常州 is paired with 安康: PAIRED_CITY 20; 10,000 yuan still sought is within grants up to
// 20,000 yuan: GRANT_RANGE 15.
const FUNDING_CRITERIA = { pairedWithCityCode: '320400', largestGrantFen: 2_000_000 };

const NEED_FIT = /* GraphQL */ `
  query ($representations: [_Any!]!, $criteria: NeedCriteriaInput!) {
    _entities(representations: $representations) {
      ... on Project { id needFit(criteria: $criteria) { published points parts { code points } } }
    }
  }
`;
const FUNDING_FIT = /* GraphQL */ `
  query ($representations: [_Any!]!, $criteria: FundingCriteriaInput!) {
    _entities(representations: $representations) {
      ... on Project { id fundingFit(criteria: $criteria) { stillSought { fen } points parts { code points } } }
    }
  }
`;

type Subgraph = 'shaanxi' | 'jiangsu';
interface Answer {
  entity: Record<string, unknown> | null;
  code: unknown;
}

describe('the parts of a match score answer the pairing service only', () => {
  let hub: TestHub;
  let projectId: string;

  beforeAll(async () => {
    hub = await startTestHub('distributed');
    const shaanxi = await hub.token('SHAANXI_OFFICE');
    const raised = await hub.query(
      `mutation ($a: MoneyInput) { raiseProjectNeed(input: { countyCode: "${COUNTY}", titleZh: "白河县小学图书室（评分部分）", field: EDUCATION, amountSought: $a }) { id } }`,
      { a: { fen: AMOUNT_SOUGHT_FEN } },
      { token: shaanxi },
    );
    expect(raised.errors).toBeUndefined();
    projectId = raised.data!.raiseProjectNeed.id;
    // Published, so that Shaanxi resolves the project for every caller: the field's own guard decides.
    await moveThrough(hub, projectId, ['PUBLISHED'], shaanxi);
  });
  afterAll(() => hub?.stop());

  /** One `_entities` request sent straight to a subgraph, signed for it with `identity`. */
  async function askDirectly(subgraph: Subgraph, identity: Identity, query: string, variables: Record<string, unknown>): Promise<Answer> {
    const body = JSON.stringify({ query, variables });
    const headers = await signIdentity(identity, { secret: hub.config.internalSecret, audience: subgraph, body });
    const response = await fetch(hub.subgraphUrls[subgraph]!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const payload = (await response.json()) as {
      data?: { _entities: (Record<string, unknown> | null)[] } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    return { entity: payload.data?._entities?.[0] ?? null, code: payload.errors?.[0]?.extensions?.code };
  }

  const needFit = (identity: Identity) =>
    askDirectly('shaanxi', identity, NEED_FIT, { representations: [{ __typename: 'Project', id: projectId }], criteria: NEED_CRITERIA });

  const fundingFit = (identity: Identity) =>
    askDirectly('jiangsu', identity, FUNDING_FIT, {
      // What fundingFit requires, as the gateway (or the pairing) sends it from Shaanxi.
      representations: [
        {
          __typename: 'Project',
          id: projectId,
          amountSought: { fen: AMOUNT_SOUGHT_FEN },
          county: { code: COUNTY, prefecture: { code: '610900', nameZh: '安康市', namePinyin: 'Ankang' } },
        },
      ],
      criteria: FUNDING_CRITERIA,
    });

  const user = (role: Identity['role'], organizationId: string | null = null): Identity => ({
    role,
    subject: role === 'PUBLIC' ? null : `test-${role}`,
    organizationId,
  });
  const USERS: [Identity, string][] = [
    [user('PUBLIC'), 'UNAUTHENTICATED'],
    [user('FOUNDATION_MEMBER', RUIHUA), 'FORBIDDEN'],
    [user('SHAANXI_OFFICE'), 'FORBIDDEN'],
    [user('JIANGSU_OFFICE'), 'FORBIDDEN'],
  ];

  it("refuses Shaanxi's needFit to another subgraph's service identity and to every user role", async () => {
    const asJiangsu = await needFit(serviceIdentity('jiangsu'));
    expect(asJiangsu).toEqual({ entity: null, code: 'FORBIDDEN' });
    for (const [identity, code] of USERS) {
      expect(await needFit(identity), identity.role).toEqual({ entity: null, code });
    }
  });

  it("refuses Jiangsu's fundingFit to another subgraph's service identity and to every user role", async () => {
    const asShaanxi = await fundingFit(serviceIdentity('shaanxi'));
    expect(asShaanxi).toEqual({ entity: null, code: 'FORBIDDEN' });
    for (const [identity, code] of USERS) {
      expect(await fundingFit(identity), identity.role).toEqual({ entity: null, code });
    }
  });

  it('answers both parts to the pairing service', async () => {
    const pairing = serviceIdentity('pairing');
    expect(await needFit(pairing)).toEqual({
      entity: {
        id: projectId,
        needFit: { published: true, points: 70, parts: [{ code: 'FIELD', points: 40 }, { code: 'PREFERRED_COUNTY', points: 30 }] },
      },
      code: undefined,
    });
    const funding = await fundingFit(pairing);
    expect(funding.code).toBeUndefined();
    expect(funding.entity).toMatchObject({ id: projectId, fundingFit: { stillSought: { fen: AMOUNT_SOUGHT_FEN }, points: 35 } });
    const parts = (funding.entity!.fundingFit as { parts: { code: string; points: number }[] }).parts;
    expect([...parts].sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { code: 'GRANT_RANGE', points: 15 },
      { code: 'PAIRED_CITY', points: 20 },
    ]);
  });

  it('keeps needFit and fundingFit out of the public graph: a query naming them fails validation', async () => {
    const token = await hub.token('JIANGSU_OFFICE');
    const needs = await hub.query(
      `query ($id: ID!) { project(id: $id) { id needFit(criteria: { fields: [EDUCATION], prefectureCodes: [], countyCodes: [], prioritizeDeepPoverty: false, prioritizeRevolutionaryOldArea: false, reportingLanguages: [ZH] }) { points } } }`,
      { id: projectId },
      { token },
    );
    const funding = await hub.query(`query ($id: ID!) { project(id: $id) { id fundingFit(criteria: {}) { points } } }`, { id: projectId }, { token });
    for (const result of [needs, funding]) {
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    expect(needs.errors![0]!.message).toMatch(/needFit/);
    expect(funding.errors![0]!.message).toMatch(/fundingFit/);
  });
});
