import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type GraphQLResult, type TestHub } from '@hub/testkit';

/**
 * One subgraph down takes away only what that subgraph brings: the fields it contributes to
 * another subgraph's entities answer null, each with a SUBGRAPH_UNAVAILABLE error naming the
 * subgraph at the field's path, and the rest of the answer stands. Once the subgraph is back
 * the answers are whole again.
 */
const COUNTY = '610929'; // 白河县
const RUIHUA = 'js-ruihua-charity-foundation';

const PIPELINE_PAGE = /* GraphQL */ `
  query ($county: DivisionCode!) {
    pipeline(filter: { countyCode: $county }, first: 10) {
      totalCount
      nodes { id titleZh stage county { code nameZh } pledged { yuan } committed { yuan } }
    }
  }
`;

/** What the pairing subgraph answers on its own, with Shaanxi's and Jiangsu's money on its funnel. */
const PAIRING_VIEW = /* GraphQL */ `
  query ($county: DivisionCode!) {
    pipeline(filter: { countyCode: $county }, first: 10) { totalCount nodes { id stage pipelineVersion pledged { yuan } } }
    funnel(filter: { countyCode: $county }) { stage projectCount amountSought { yuan } pledged { yuan } }
  }
`;

/** What the Shaanxi subgraph answers on its own, with the pairing's stage and ceremonies on its entities. */
const NEEDS_VIEW = /* GraphQL */ `
  query ($county: DivisionCode!) {
    projectNeeds(filter: { countyCode: $county }, first: 10) {
      nodes { id titleZh stage county { nameZh signingCeremonies { id } } pledged { yuan } }
    }
  }
`;

type ErrorEntry = NonNullable<GraphQLResult['errors']>[number];

/** The errors of a result as `subgraph code path`, sorted: the whole shape of what went missing. */
function missingPieces(result: GraphQLResult): string[] {
  return (result.errors ?? [])
    .map((error: ErrorEntry) => `${error.extensions?.subgraph} ${error.extensions?.code} ${(error.path ?? []).join('.')}`)
    .sort();
}

describe('one subgraph down, distributed', () => {
  let hub: TestHub;
  let shaanxiToken: string;
  // Newest first, as the pipeline and the needs list both order them.
  let pledgedProject: string;
  let otherProject: string;

  beforeAll(async () => {
    hub = await startTestHub('distributed');
    shaanxiToken = await hub.token('SHAANXI_OFFICE');
    const member = await hub.token('FOUNDATION_MEMBER', RUIHUA);
    const raise = async (titleZh: string, fen: number) => {
      const raised = await hub.query(
        `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
        { input: { countyCode: COUNTY, titleZh, field: 'EDUCATION', amountSought: { fen } } },
        { token: shaanxiToken },
      );
      expect(raised.errors).toBeUndefined();
      const id = raised.data!.raiseProjectNeed.id as string;
      const published = await hub.query(
        `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage } }`,
        { input: { projectId: id, to: 'PUBLISHED', expectedVersion: 0 } },
        { token: shaanxiToken },
      );
      expect(published.errors).toBeUndefined();
      return id;
    };
    otherProject = await raise('白河县村级卫生室', 500_000);
    pledgedProject = await raise('白河县小学图书室', 1_000_000);
    const pledge = await hub.query(
      `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
      { input: { projectId: pledgedProject, organizationId: RUIHUA, amount: { fen: 300_000 }, idempotencyKey: 'degradation-pledge-0001' } },
      { token: member },
    );
    expect(pledge.errors).toBeUndefined();
  });
  afterAll(() => hub?.stop());
  afterEach(() => vi.restoreAllMocks());

  /** Runs `work` with one subgraph stopped, and serves it again afterwards whatever happens. */
  async function withSubgraphDown<T>(name: 'shaanxi' | 'jiangsu' | 'pairing', work: () => Promise<T>): Promise<T> {
    await hub.stopSubgraph(name);
    try {
      return await work();
    } finally {
      await hub.restartSubgraph(name);
    }
  }

  /** The gateway's readiness report: a balancer asks it before sending traffic. */
  async function readiness(): Promise<{ status: number; body: string }> {
    const response = await fetch(new URL('/readyz', hub.origin));
    return { status: response.status, body: await response.text() };
  }

  it('answers a pipeline page without Jiangsu: titles, counties and stages stand, money is null with an error per field', async () => {
    const logged = vi.spyOn(process.stderr, 'write');
    const result = await withSubgraphDown('jiangsu', () => hub.query(PIPELINE_PAGE, { county: COUNTY }));

    expect(result.status).toBe(200);
    expect(result.data!.pipeline).toEqual({
      totalCount: 2,
      nodes: [
        { id: pledgedProject, titleZh: '白河县小学图书室', stage: 'PUBLISHED', county: { code: COUNTY, nameZh: '白河县' }, pledged: null, committed: null },
        { id: otherProject, titleZh: '白河县村级卫生室', stage: 'PUBLISHED', county: { code: COUNTY, nameZh: '白河县' }, pledged: null, committed: null },
      ],
    });
    expect(missingPieces(result)).toEqual([
      'jiangsu SUBGRAPH_UNAVAILABLE pipeline.nodes.0.committed',
      'jiangsu SUBGRAPH_UNAVAILABLE pipeline.nodes.0.pledged',
      'jiangsu SUBGRAPH_UNAVAILABLE pipeline.nodes.1.committed',
      'jiangsu SUBGRAPH_UNAVAILABLE pipeline.nodes.1.pledged',
    ]);
    for (const error of result.errors!) {
      // The caller learns which part is missing, not where the subgraph lives or how it failed.
      expect(error.message).toMatch(/jiangsu subgraph cannot be reached/);
      expect(error.message).not.toMatch(/127\.0\.0\.1|http|ECONN|fetch/i);
      expect(JSON.stringify(error.extensions)).not.toMatch(/127\.0\.0\.1|ECONN/);
    }

    // Logged once for the request, with its id and the real cause for the operators.
    const requestId = result.headers.get('x-request-id');
    const lines = logged.mock.calls
      .map(([chunk]) => String(chunk))
      .filter((line) => line.includes('SUBGRAPH_UNAVAILABLE'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId, subgraph: 'jiangsu' });
    expect(String(lines[0]!.message)).toMatch(/ECONNREFUSED/);
  });

  it('leaves a Shaanxi field that needs Jiangsu books null without Jiangsu, and says which Jiangsu data was missing', async () => {
    const result = await withSubgraphDown('jiangsu', () =>
      hub.query(`query ($id: ID!) { project(id: $id) { titleZh received { yuan } reconciliation { balanced } } }`, { id: pledgedProject }),
    );

    expect(result.data!.project).toEqual({ titleZh: '白河县小学图书室', received: { yuan: '0.00' }, reconciliation: null });
    expect(missingPieces(result)).toEqual(['jiangsu SUBGRAPH_UNAVAILABLE project.disbursedByOrganization']);
  });

  it('refuses a pledge without Jiangsu with SUBGRAPH_UNAVAILABLE at the mutation, and records nothing', async () => {
    const member = await hub.token('FOUNDATION_MEMBER', RUIHUA);
    const input = { projectId: otherProject, organizationId: RUIHUA, amount: { fen: 100_000 }, idempotencyKey: 'degradation-pledge-0002' };
    const result = await withSubgraphDown('jiangsu', () =>
      hub.query(`mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`, { input }, { token: member }),
    );

    expect(result.data ?? null).toBeNull();
    expect(missingPieces(result)).toEqual(['jiangsu SUBGRAPH_UNAVAILABLE recordPledge']);
    // Connection refused: the request never reached Jiangsu, so the gateway can say no change was made.
    expect(result.errors![0]!.extensions!.changeMade).toBe('NO');
    const after = await hub.query(`query ($id: ID!) { project(id: $id) { pledged { yuan } } }`, { id: otherProject });
    expect(after.data!.project.pledged).toEqual({ yuan: '0.00' });
  });

  it('answers what the pairing and Jiangsu can without Shaanxi: stages, counts and pledges stand, Shaanxi money is null', async () => {
    const result = await withSubgraphDown('shaanxi', () => hub.query(PAIRING_VIEW, { county: COUNTY }));

    expect(result.status).toBe(200);
    expect(result.data!.pipeline).toEqual({
      totalCount: 2,
      nodes: [
        { id: pledgedProject, stage: 'PUBLISHED', pipelineVersion: 1, pledged: { yuan: '3000.00' } },
        { id: otherProject, stage: 'PUBLISHED', pipelineVersion: 1, pledged: { yuan: '0.00' } },
      ],
    });
    const published = result.data!.funnel.find((stage: { stage: string }) => stage.stage === 'PUBLISHED');
    expect(published).toEqual({ stage: 'PUBLISHED', projectCount: 2, amountSought: null, pledged: { yuan: '3000.00' } });
    // One error per funnel stage whose Shaanxi money is missing, and nothing else.
    const funnelPaths = result.data!.funnel.map((_: unknown, index: number) => `shaanxi SUBGRAPH_UNAVAILABLE funnel.${index}.amountSought`);
    expect(missingPieces(result)).toEqual(funnelPaths.sort());
    expect(result.data!.funnel.every((stage: { amountSought: unknown }) => stage.amountSought === null)).toBe(true);
  });

  it('answers the needs list without the pairing: titles, counties and money stand, stages and ceremonies are null', async () => {
    const result = await withSubgraphDown('pairing', () => hub.query(NEEDS_VIEW, { county: COUNTY }, { token: shaanxiToken }));

    expect(result.status).toBe(200);
    expect(result.data!.projectNeeds.nodes).toEqual([
      { id: pledgedProject, titleZh: '白河县小学图书室', stage: null, county: { nameZh: '白河县', signingCeremonies: null }, pledged: { yuan: '3000.00' } },
      { id: otherProject, titleZh: '白河县村级卫生室', stage: null, county: { nameZh: '白河县', signingCeremonies: null }, pledged: { yuan: '0.00' } },
    ]);
    expect(missingPieces(result)).toEqual([
      'pairing SUBGRAPH_UNAVAILABLE projectNeeds.nodes.0.county.signingCeremonies',
      'pairing SUBGRAPH_UNAVAILABLE projectNeeds.nodes.0.stage',
      'pairing SUBGRAPH_UNAVAILABLE projectNeeds.nodes.1.county.signingCeremonies',
      'pairing SUBGRAPH_UNAVAILABLE projectNeeds.nodes.1.stage',
    ]);
  });

  it('answers whole again once the subgraph is back', async () => {
    await withSubgraphDown('jiangsu', async () => {
      expect((await hub.query(PIPELINE_PAGE, { county: COUNTY })).errors).toHaveLength(4);
    });

    const result = await hub.query(PIPELINE_PAGE, { county: COUNTY });
    expect(result.errors).toBeUndefined();
    expect(result.data!.pipeline.nodes.map((node: { pledged: { yuan: string } }) => node.pledged)).toEqual([{ yuan: '3000.00' }, { yuan: '0.00' }]);
    for (const view of [PAIRING_VIEW, NEEDS_VIEW]) {
      expect((await hub.query(view, { county: COUNTY }, { token: shaanxiToken })).errors).toBeUndefined();
    }
  });

  it('names the subgraph that is down in the readiness report, and is ready again once it is back', async () => {
    const down = await withSubgraphDown('jiangsu', readiness);
    expect(down.status).toBe(503);
    expect(down.body).toContain('jiangsu');

    expect((await readiness()).status).toBe(200);
  });
});
