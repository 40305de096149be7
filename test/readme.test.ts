import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '@hub/gateway';
import { startTestHub, type TestHub } from '@hub/testkit';

/** The example queries in README.md run as written and return data. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1] as string);

describe('README examples', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('all-in-one');
  });
  afterAll(() => hub?.stop());

  it('has the three example queries, each registered as a trusted document', () => {
    expect(examples).toHaveLength(3);
    const registered = [...loadManifest(new URL('../gateway/trusted-documents.json', import.meta.url).pathname).values()];
    for (const example of examples) expect(registered).toContain(example);
  });

  it.each(examples.map((document, index) => [index + 1, document] as const))('example %i answers without errors', async (_, document) => {
    const variables = document.includes('$code') ? { code: '610927' } : undefined;
    const result = await hub.query(document, variables);
    expect(result.errors).toBeUndefined();
    const values = Object.values(result.data ?? {});
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).not.toBeNull();
  });

  it('the foundation example finds the seeded industry projects with their county and pairing', async () => {
    const result = await hub.query(examples[0]!);
    expect(result.data!.projectNeeds.totalCount).toBe(3);
    expect(result.data!.projectNeeds.nodes[0].county).toMatchObject({
      nameZh: '镇坪县',
      prefecture: { nameZh: '安康市' },
      pairedJiangsuCity: { nameZh: '常州市' },
    });
  });
});
