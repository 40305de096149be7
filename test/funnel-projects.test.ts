import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_IDENTITY } from '@hub/common';
import { signIdentity } from '@hub/server';
import { startTestHub, type TestHub, type Topology } from '@hub/testkit';

/**
 * The funnel's stages hand the province subgraphs their projects' ids as one text
 * (`FunnelStage.projectIdList`) to sum their money over: a stage still lists its projects to
 * whoever asks, and that text is the subgraphs' own, not the public graph's.
 */
describe.each<Topology>(['all-in-one', 'distributed'])('the funnel, %s', (topology) => {
  let hub: TestHub;
  beforeAll(async () => {
    // The demo pipeline puts projects at every stage.
    hub = await startTestHub(topology, { DEMO_DATA: 'true' });
  });
  afterAll(() => hub?.stop());

  it('lists the projects standing at each stage, as many as it counts, each at that stage', async () => {
    const result = await hub.query(`{ funnel { stage projectCount projects { id stage } } }`);
    expect(result.errors).toBeUndefined();
    const stages = result.data!.funnel as { stage: string; projectCount: number; projects: { id: string; stage: string }[] }[];
    expect(stages.filter((stage) => stage.projectCount > 0).length).toBeGreaterThan(1);
    for (const { stage, projectCount, projects } of stages) {
      expect(projects, stage).toHaveLength(projectCount);
      expect(new Set(projects.map((project) => project.id)).size, stage).toBe(projectCount);
      for (const project of projects) expect(project.stage, project.id).toBe(stage);
    }
  });

  it('keeps the text of ids the money is summed over out of the public graph', async () => {
    const asked = await hub.query(`{ funnel { stage projectIdList } }`);
    expect(asked.data).toBeUndefined();
    expect(asked.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

/** Each province's money fields on a funnel stage, asked of its subgraph by representations. */
const STAGE_MONEY = {
  shaanxi: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on FunnelStage { amountSought { fen } received { fen } spent { fen } } } }`,
  jiangsu: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on FunnelStage { pledged { fen } committed { fen } disbursed { fen } } } }`,
} as const;

describe('a funnel stage sent wrong to a province subgraph', () => {
  let hub: TestHub;
  /** The stages with projects, as the pairing hands them over. */
  let stages: { key: string; projectIdList: string }[];

  beforeAll(async () => {
    hub = await startTestHub('distributed', { DEMO_DATA: 'true' });
    const answer = await ask('pairing', `{ funnel { key projectCount projectIdList } }`, {});
    expect(answer.errors).toBeUndefined();
    stages = (answer.data!.funnel as { key: string; projectCount: number; projectIdList: string }[])
      .filter((stage) => stage.projectCount > 0)
      .map(({ key, projectIdList }) => ({ key, projectIdList }));
  });
  afterAll(() => hub?.stop());

  /** One request sent straight to a subgraph's service, signed for it as the gateway signs an anonymous caller's. */
  async function ask(subgraph: 'shaanxi' | 'jiangsu' | 'pairing', query: string, variables: Record<string, unknown>) {
    const body = JSON.stringify({ query, variables });
    const headers = await signIdentity(PUBLIC_IDENTITY, { secret: hub.config.internalSecret, audience: subgraph, body });
    const response = await fetch(hub.subgraphUrls[subgraph]!, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return (await response.json()) as { data?: Record<string, any> | null; errors?: unknown[] };
  }

  it.each(['shaanxi', 'jiangsu'] as const)('sums to nothing in %s, leaving the stages beside it as they are', async (subgraph) => {
    const everyStage = await ask(subgraph, STAGE_MONEY[subgraph], { representations: stages.map((stage) => ({ __typename: 'FunnelStage', ...stage })) });
    expect(everyStage.errors).toBeUndefined();
    const moneyOf = everyStage.data!._entities as Record<string, { fen: number }>[];
    // Two stages with money in this book, for the wrong ones to stand between.
    const withMoney = stages.filter((_, index) => Object.values({ ...moneyOf[index] }).some((money) => money.fen > 0));
    expect(withMoney.length, JSON.stringify(moneyOf)).toBeGreaterThan(1);
    const [first, last] = [withMoney[0]!, withMoney[withMoney.length - 1]!];
    const [firstMoney, lastMoney] = [moneyOf[stages.indexOf(first)], moneyOf[stages.indexOf(last)]];

    const ids = [first.projectIdList.split(',')[0], last.projectIdList.split(',')[0]];
    // Not text, or two ids joined by what separates stages: none of them names a project.
    const wrong: unknown[] = [42, {}, null, [first.projectIdList], `${ids[0]};${ids[1]}`, ' '];
    const representations = [first, ...wrong.map((projectIdList) => ({ key: 'sent-wrong', projectIdList })), last].map((stage) => ({ __typename: 'FunnelStage', ...stage }));
    const among = await ask(subgraph, STAGE_MONEY[subgraph], { representations });
    expect(among.errors).toBeUndefined();
    const answers = among.data!._entities as Record<string, { fen: number }>[];
    expect(answers[0]).toEqual(firstMoney);
    expect(answers[answers.length - 1]).toEqual(lastMoney);
    for (const answer of answers.slice(1, -1)) for (const money of Object.values(answer)) expect(money.fen).toBe(0);
  });
});

