import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '@hub/gateway';
import { startTestHub, type TestHub } from '@hub/testkit';

/** The example operations in README.md run as written, on the hub `npm start` gives (with its demo data). */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] as string);
const nameOf = (document: string) => /^(?:query|mutation) (\w+)/.exec(document)?.[1] ?? '';

describe('README examples', () => {
  let hub: TestHub;
  let publishedProject: string;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { DEMO_DATA: 'true' });
    const published = await hub.query(`{ pipeline(filter: { stages: [PUBLISHED] }, first: 1) { nodes { id } } }`);
    publishedProject = published.data!.pipeline.nodes[0].id;
  });
  afterAll(() => hub?.stop());

  it('are registered as trusted documents, each under its operation name', () => {
    expect(examples.map(nameOf)).toEqual(['FoundationIndustryProjects', 'AgreementProgress', 'CountyPage', 'PipelineFunnel', 'Pledge']);
    const registered = [...loadManifest(new URL('../gateway/trusted-documents.json', import.meta.url).pathname).values()];
    for (const example of examples) expect(registered).toContain(example);
  });

  it.each(examples.map((document) => [nameOf(document), document] as const))('%s answers without errors', async (name, document) => {
    const variables: Record<string, Record<string, unknown>> = {
      CountyPage: { code: '610927' },
      Pledge: { projectId: publishedProject },
    };
    const token = name === 'Pledge' ? await hub.token('FOUNDATION_MEMBER', 'js-demo-taihu-health') : undefined;
    const result = await hub.query(document, variables[name], { token });
    expect(result.errors).toBeUndefined();
    const values = Object.values(result.data ?? {});
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).not.toBeNull();
  });

  it('the foundation example finds the seeded industry projects with their county and pairing', async () => {
    const result = await hub.query(examples[0]!);
    const zhenping = result.data!.projectNeeds.nodes.filter((n: { county: { nameZh: string } }) => n.county.nameZh === '镇坪县');
    expect(zhenping).toHaveLength(3);
    expect(zhenping[0].county).toMatchObject({ prefecture: { nameZh: '安康市' }, pairedJiangsuCity: { nameZh: '常州市' } });
  });
});
