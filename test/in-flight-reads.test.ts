import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

/**
 * The gateway joins identical subgraph reads in flight (gateway/src/in-flight-reads.ts): many
 * callers asking the same thing at once cost the subgraphs a few answers. That nobody reads from
 * before a write whose answer it has seen needs reads held in flight at will, which the unit
 * test beside the code does (gateway/src/in-flight-reads.test.ts).
 */
const FUNNEL = /* GraphQL */ `
  query Funnel {
    funnel { stage projectCount amountSought { fen } pledged { fen } committed { fen } received { fen } }
  }
`;

async function concurrently(hub: TestHub, callers: number, token?: string) {
  return Promise.all(Array.from({ length: callers }, () => hub.query(FUNNEL, {}, { token })));
}

describe.each([
  ['joined', 'true'],
  ['not joined', 'false'],
])('identical reads in flight, %s', (_, deduplicate) => {
  let hub: TestHub;
  beforeAll(async () => {
    // Over HTTP, where a subgraph fetch waits on the network and so many are in flight at once.
    // (On the embedded database in one process, a fetch runs to its end before the next
    // request is read: nothing is in flight to join.)
    hub = await startTestHub('distributed', { DEMO_DATA: 'true', DEDUPLICATE_READS: deduplicate });
  });
  afterAll(() => hub?.stop());

  it(deduplicate === 'true' ? 'cost the subgraphs a few answers for 30 callers' : 'cost one answer each', async () => {
    const { statements: one } = await hub.countStatements(() => hub.query(FUNNEL));
    const { result: answers, statements } = await hub.countStatements(() => concurrently(hub, 30));
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(answers[0]!.data);
    }
    // Callers arrive in a few waves; each wave costs one answer (measured: 24 statements for 30
    // callers, 4 for one). Not joined, each caller costs its own.
    if (deduplicate === 'true') expect(statements.length).toBeLessThanOrEqual(one.length * 10);
    else expect(statements.length).toBe(one.length * 30);
  });
});
