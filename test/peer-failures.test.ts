import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceIdentity, type Identity } from '@hub/common';
import { signIdentity } from '@hub/server';
import { startTestHub, type GraphQLResult, type TestHub } from '@hub/testkit';

/**
 * A rule that spans two subgraphs asks the other one before it writes. When that subgraph is
 * down, the caller gets SUBGRAPH_UNAVAILABLE naming it, told the change was not made, and
 * nothing is written. Only the pairing subgraph, as it moves a project, may mark a need
 * published in Shaanxi or take that mark back.
 */
const COUNTY = '610929'; // 白河县
const RUIHUA = 'js-ruihua-charity-foundation';

let hub: TestHub;
let shaanxiOffice: string;
let member: string;

beforeAll(async () => {
  hub = await startTestHub('distributed');
  shaanxiOffice = await hub.token('SHAANXI_OFFICE');
  member = await hub.token('FOUNDATION_MEMBER', RUIHUA);
});
afterAll(() => hub?.stop());

async function raiseNeed(titleZh: string): Promise<string> {
  const raised = await hub.query(
    `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id } }`,
    { input: { countyCode: COUNTY, titleZh, field: 'EDUCATION', amountSought: { fen: 800_000 } } },
    { token: shaanxiOffice },
  );
  expect(raised.errors).toBeUndefined();
  return raised.data!.raiseProjectNeed.id as string;
}

function publish(projectId: string, expectedVersion = 0) {
  return hub.query(
    `mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage } }`,
    { input: { projectId, to: 'PUBLISHED', expectedVersion } },
    { token: shaanxiOffice },
  );
}

function pledge(projectId: string, idempotencyKey: string) {
  return hub.query(
    `mutation ($input: FundingEntryInput!) { recordPledge(input: $input) { id } }`,
    { input: { projectId, organizationId: RUIHUA, amount: { fen: 100_000 }, idempotencyKey } },
    { token: member },
  );
}

async function withSubgraphDown<T>(name: 'shaanxi' | 'jiangsu' | 'pairing', work: () => Promise<T>): Promise<T> {
  await hub.stopSubgraph(name);
  try {
    return await work();
  } finally {
    await hub.restartSubgraph(name);
  }
}

/** The one error of a refused mutation, in the shape a client switches on. */
function refusal(result: GraphQLResult) {
  expect(result.errors).toHaveLength(1);
  const [error] = result.errors!;
  // The caller learns which part is down, not where it lives or how the socket failed.
  expect(error!.message).not.toMatch(/127\.0\.0\.1|http|ECONN|fetch/i);
  return { path: error!.path, ...error!.extensions };
}

async function pledgedFen(projectId: string): Promise<string> {
  const result = await hub.query(`query ($id: ID!) { project(id: $id) { pledged { fen } } }`, { id: projectId });
  expect(result.errors).toBeUndefined();
  return String(result.data!.project.pledged.fen);
}

describe('a peer that is down, distributed', () => {
  it('refuses to publish a need while Shaanxi is down, naming shaanxi, and moves nothing', async () => {
    const id = await raiseNeed('白河县发布时陕西不可达');
    const result = await withSubgraphDown('shaanxi', () => publish(id));

    expect(refusal(result)).toMatchObject({ path: ['moveProject'], code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'shaanxi', changeMade: 'NO' });
    const after = await hub.query(`query ($id: ID!) { project(id: $id) { stage pipelineVersion publishedAt } }`, { id }, { token: shaanxiOffice });
    expect(after.data!.project).toEqual({ stage: 'PROPOSED', pipelineVersion: 0, publishedAt: null });
    // Once Shaanxi is back the same move goes through.
    expect((await publish(id)).errors).toBeUndefined();
  });

  it('refuses a pledge while the pairing is down, since the stage cannot be asked, and records nothing', async () => {
    const id = await raiseNeed('白河县认捐时阶段不可查');
    expect((await publish(id)).errors).toBeUndefined();
    const result = await withSubgraphDown('pairing', () => pledge(id, 'peer-down-pledge-0001'));

    expect(refusal(result)).toMatchObject({ path: ['recordPledge'], code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'pairing', changeMade: 'NO' });
    expect(await pledgedFen(id)).toBe('0');
  });

  it('refuses a pledge while Shaanxi is down, since the project\'s provenance cannot be asked, and records nothing', async () => {
    const id = await raiseNeed('白河县认捐时来源不可查');
    expect((await publish(id)).errors).toBeUndefined();
    const result = await withSubgraphDown('shaanxi', () => pledge(id, 'peer-down-pledge-0002'));

    expect(refusal(result)).toMatchObject({ path: ['recordPledge'], code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'shaanxi', changeMade: 'NO' });
    expect(await pledgedFen(id)).toBe('0');
    // With Shaanxi back, the same key records the pledge once.
    expect((await pledge(id, 'peer-down-pledge-0002')).errors).toBeUndefined();
    expect(await pledgedFen(id)).toBe('100000');
  });
});

describe('marking a need published in Shaanxi', () => {
  /** A request straight to the Shaanxi subgraph, signed with the hub's internal secret as `identity`. */
  async function asService(identity: Identity, document: string, variables: Record<string, unknown>) {
    const body = JSON.stringify({ query: document, variables });
    const headers = await signIdentity(identity, { secret: hub.config.internalSecret, audience: 'shaanxi', body });
    const response = await fetch(hub.subgraphUrls.shaanxi!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: Record<string, unknown> }[] };
  }

  const MARK = 'mutation ($id: ID!) { markProjectNeedPublished(id: $id) { id } }';
  const UNMARK = 'mutation ($id: ID!) { markProjectNeedUnpublished(id: $id) { id } }';

  async function publicLookup(id: string) {
    const result = await hub.query(`query ($id: ID!) { project(id: $id) { id } }`, { id });
    return result.data?.project ?? result.errors?.[0]?.extensions?.code;
  }

  it('is refused to another subgraph\'s service identity, and the need stays a draft', async () => {
    const id = await raiseNeed('白河县江苏服务不可发布');
    const result = await asService(serviceIdentity('jiangsu'), MARK, { id });

    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await publicLookup(id)).toBe('NOT_FOUND');
    // The same request under the pairing's identity is what publishing uses: it is the identity that was refused.
    expect((await asService(serviceIdentity('pairing'), MARK, { id })).errors).toBeUndefined();
    expect(await publicLookup(id)).toEqual({ id });
  });

  it('is taken back only by the pairing, and never once the pipeline has published the need', async () => {
    const id = await raiseNeed('白河县已发布不可撤回');
    expect((await publish(id)).errors).toBeUndefined();

    const byJiangsu = await asService(serviceIdentity('jiangsu'), UNMARK, { id });
    expect(byJiangsu.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    const byPairing = await asService(serviceIdentity('pairing'), UNMARK, { id });
    expect(byPairing.errors?.map((error) => error.extensions?.code)).toEqual(['ILLEGAL_STAGE_CHANGE']);
    expect(await publicLookup(id)).toEqual({ id });
  });
});
