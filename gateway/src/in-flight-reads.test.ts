import { describe, expect, it } from 'vitest';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Identity } from '@hub/common';
import { InFlightReads } from './in-flight-reads.ts';

/** A subgraph whose every fetch waits until the test lets it answer, counting what it ran. */
function heldSubgraph() {
  const waiting: { query: string; answer: (response: GatewayGraphQLResponse) => void }[] = [];
  const source: GraphQLDataSource = {
    process: (options) =>
      new Promise((resolve) => waiting.push({ query: options.request.query ?? '', answer: resolve })),
  };
  return {
    source,
    waiting,
    answerAll(data: Record<string, unknown>) {
      for (const fetch of waiting.splice(0)) fetch.answer({ data: structuredClone(data) });
    },
  };
}

const PUBLIC: Identity = { role: 'PUBLIC', subject: null, organizationId: null };
const OFFICE: Identity = { role: 'SHAANXI_OFFICE', subject: 'office-1', organizationId: null };

const fetch = (query: string, identity: Identity, variables: Record<string, unknown> = {}) =>
  ({ request: { query, variables }, context: { identity, requestId: 'r' } }) as unknown as GraphQLDataSourceProcessOptions;

const READ = 'query County($code: DivisionCode!) { county(code: $code) { nameZh } }';
const WRITE = 'mutation Move { moveProject(input: { projectId: "x", to: PUBLISHED, expectedVersion: 0 }) { id } }';

describe('joining identical reads in flight', () => {
  it('runs identical reads of one caller once, and gives each its own copy of the answer', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('shaanxi', subgraph.source);
    const answers = Promise.all([1, 2, 3].map(() => source.process(fetch(READ, PUBLIC, { code: '610927' }))));
    expect(subgraph.waiting).toHaveLength(1);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    const [a, b, c] = await answers;
    expect([a, b, c]).toEqual([1, 2, 3].map(() => ({ data: { county: { nameZh: '镇坪县' } } })));
    (a!.data as { county: { nameZh: string } }).county.nameZh = 'changed by one caller';
    expect(b!.data).toEqual({ county: { nameZh: '镇坪县' } });
  });

  it('runs again once the read has settled', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('shaanxi', subgraph.source);
    const first = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    subgraph.answerAll({ county: null });
    await first;
    void source.process(fetch(READ, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting).toHaveLength(1);
  });

  it('does not join reads of different callers, variables, subgraphs or documents', () => {
    const subgraph = heldSubgraph();
    const reads = new InFlightReads();
    const shaanxi = reads.wrap('shaanxi', subgraph.source);
    void shaanxi.process(fetch(READ, PUBLIC, { code: '610927' }));
    void shaanxi.process(fetch(READ, OFFICE, { code: '610927' }));
    void shaanxi.process(fetch(READ, { ...OFFICE, subject: 'office-2' }, { code: '610927' }));
    void shaanxi.process(fetch(READ, PUBLIC, { code: '610929' }));
    void reads.wrap('pairing', subgraph.source).process(fetch(READ, PUBLIC, { code: '610927' }));
    void shaanxi.process(fetch(`${READ} `, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting).toHaveLength(6);
  });

  it('never joins writes, and never joins a read that started before a write finished', async () => {
    const subgraph = heldSubgraph();
    const source = new InFlightReads().wrap('pairing', subgraph.source);
    void source.process(fetch(WRITE, OFFICE));
    void source.process(fetch(WRITE, OFFICE));
    expect(subgraph.waiting).toHaveLength(2);
    // A read starts, then the writes finish: a read after them runs anew, and sees them.
    const before = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    const [write] = subgraph.waiting.splice(0, 2);
    write!.answer({ data: { moveProject: { id: 'x' } } });
    await Promise.resolve();
    const after = source.process(fetch(READ, PUBLIC, { code: '610927' }));
    expect(subgraph.waiting.map((waiting) => waiting.query)).toEqual([READ, READ]);
    subgraph.answerAll({ county: { nameZh: '镇坪县' } });
    await Promise.all([before, after]);
  });
});
