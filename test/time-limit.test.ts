import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '@hub/db';
import { moveThrough, startTestHub, type TestHub, type Topology } from '@hub/testkit';

/**
 * The request time limit stops the work where it is done, in the database: a read past its
 * limit is answered 503 TIMEOUT (safe to retry) and sends no further statements; a mutation
 * is answered with its real outcome, and what it answers as committed is exactly what the
 * database holds.
 */
const READ = `{
  prefectures { code nameZh counties { code nameZh jiangsuCountyPartners { __typename } signingCeremonies { id } } }
}`;
const RAISE = 'mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id titleZh } }';

/**
 * Resolves once no statement has been sent for `quietMs`: work left running behind an answer
 * has ended (or never started). Gives up after 30 s of statements.
 */
async function untilQuiet(hub: TestHub, quietMs: number): Promise<void> {
  const giveUpAt = Date.now() + 30_000;
  let seen = hub.database.statements.count;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = hub.database.statements.count;
    if (now === seen) return;
    if (Date.now() > giveUpAt) throw new Error(`statements were still being sent ${quietMs} ms apart after 30 s`);
    seen = now;
  }
}

describe.each<Topology>(['all-in-one', 'distributed'])('the request time limit (%s)', (topology) => {
  describe('REQUEST_TIMEOUT_MS on a read', () => {
    let hub: TestHub;
    beforeAll(async () => {
      hub = await startTestHub(topology, { REQUEST_TIMEOUT_MS: '1' });
    });
    afterAll(() => hub?.stop());

    it('answers a read past its limit with 503 TIMEOUT and Retry-After, and starts no statement after it', async () => {
      // The 503 is sent at the deadline, without waiting for the work; what the work does after
      // the answer counts too, so the count goes on until the database has been quiet for as
      // long as the whole read takes without a limit.
      const { result, statements } = await hub.countStatements(async () => {
        const answer = await hub.query(READ);
        await untilQuiet(hub, 1_000);
        return answer;
      });
      expect(result.status).toBe(503);
      expect(result.headers.get('retry-after')).toBe('1');
      expect(result.errors?.[0]?.extensions?.code).toBe('TIMEOUT');
      expect(statements).toEqual([]);
    });
  });

  describe('mutations under a tight limit', () => {
    let hub: TestHub;
    beforeAll(async () => {
      // Every request runs as it comes: these are about a limit that passes while a mutation
      // runs, and one still waiting for its turn at its limit never runs (0047).
      hub = await startTestHub(topology, { MAX_RUNNING_REQUESTS: '0' });
    });
    afterAll(() => hub?.stop());

    it('answers each mutation with its committed result or with TIMEOUT, and the rows are exactly the committed ones', async () => {
      const token = await hub.token('SHAANXI_OFFICE');
      const marker = `限时-${topology}`;
      const raise = (index: number, headers: Record<string, string> = {}) =>
        hub.query<{ raiseProjectNeed: { id: string; titleZh: string } | null }>(
          RAISE,
          { input: { countyCode: '610924', titleZh: `${marker}-${index}`, field: 'LIVELIHOOD' } },
          { token, headers },
        );

      // Without a tight limit the mutation commits and says so.
      const unhurried = await raise(0);
      expect(unhurried.status).toBe(200);
      expect(unhurried.data?.raiseProjectNeed?.titleZh).toBe(`${marker}-0`);

      // A third of the requests are out of time before they start (they must time out), a third
      // have all the time they need (they must commit), and a third run out of time somewhere in
      // the middle of their work, where the outcome depends on the machine's speed: whichever
      // it is, the answer must say it truly.
      const limits = Array.from({ length: 30 }, (_, index) => [0, 10_000, 5 + index][index % 3] as number);
      const answers = await Promise.all(limits.map((limit, index) => raise(index + 1, { 'x-hub-timeout-ms': String(limit) })));
      let committed = 1;
      let timedOut = 0;
      for (const answer of answers) {
        // Never a 503 for a mutation: the client is told what happened, not to retry blindly.
        expect(answer.status).toBe(200);
        if (answer.data?.raiseProjectNeed) {
          expect(answer.errors).toBeUndefined();
          committed += 1;
        } else {
          expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
          timedOut += 1;
        }
      }
      expect(timedOut).toBeGreaterThanOrEqual(limits.filter((limit) => limit === 0).length);
      expect(committed - 1).toBeGreaterThanOrEqual(limits.filter((limit) => limit === 10_000).length);
      const [row] = await queryRows<{ n: number }>(
        hub.database.db,
        sql`select count(*)::int as n from shaanxi.project_need where title_zh like ${`${marker}-%`}`,
      );
      expect(row?.n).toBe(committed);
    });

    it('answers a mutation that asks other subgraphs on its way (a move) with its real outcome too, never 503', async () => {
      // moveProject asks Shaanxi for the need and Jiangsu for the organization before it writes:
      // those inner queries run under the same time limit and must not make the move a "query".
      const token = await hub.token('SHAANXI_OFFICE');
      const ids: string[] = [];
      for (let index = 0; index < 24; index += 1) {
        const raised = await hub.query<{ raiseProjectNeed: { id: string } }>(
          RAISE,
          { input: { countyCode: '610924', titleZh: `限时移动-${topology}-${index}`, field: 'LIVELIHOOD' } },
          { token },
        );
        const id = raised.data!.raiseProjectNeed.id;
        await moveThrough(hub, id, ['PUBLISHED'], token);
        ids.push(id);
      }
      const limits = ids.map((_, index) => [10_000, 5 + index * 2][index % 2] as number);
      const answers = await Promise.all(
        ids.map((projectId, index) =>
          hub.query<{ moveProject: { stage: string } | null }>(
            'mutation ($input: MoveProjectInput!) { moveProject(input: $input) { stage } }',
            { input: { projectId, to: 'MATCHED', expectedVersion: 1, organizationId: 'js-ruihua-charity-foundation' } },
            { token, headers: { 'x-hub-timeout-ms': String(limits[index]) } },
          ),
        ),
      );
      await untilQuiet(hub, 200);
      const [row] = await queryRows<{ matched: string[] }>(
        hub.database.db,
        sql`select coalesce(array_agg(project_id::text), '{}') as matched from pairing.project_pipeline
            where project_id in ${ids} and stage = 'MATCHED'`,
      );
      const matched = new Set(row!.matched);
      answers.forEach((answer, index) => {
        expect(answer.status, `move ${index} (limit ${limits[index]} ms)`).toBe(200);
        // What the answer says is what the database holds.
        if (answer.data?.moveProject) expect(matched.has(ids[index]!), `move ${index}`).toBe(true);
        else {
          expect(answer.errors?.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
          expect(matched.has(ids[index]!), `move ${index}`).toBe(false);
        }
      });
      expect(answers.filter((answer) => answer.data?.moveProject).length).toBeGreaterThanOrEqual(limits.filter((limit) => limit === 10_000).length);
    });
  });
});
