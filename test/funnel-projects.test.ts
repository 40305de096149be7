import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
