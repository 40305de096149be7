import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Database } from '@hub/db';
import { queryRows } from '@hub/db';
import { PeerUnavailableError, startSubgraph, type Peers, type RunningSubgraph } from '@hub/server';
import { openTestDatabase } from '@hub/testkit';
import { jiangsuSubgraph, type JiangsuContext } from './index.ts';

/** When the pairing cannot say a project's stage, money is not recorded unchecked. */
describe('a disbursement while the pairing is unreachable', () => {
  let database: Database;
  let subgraph: RunningSubgraph<JiangsuContext>;
  const unreachable: Peers = {
    query: async () => {
      throw new PeerUnavailableError('subgraph pairing is not reachable from jiangsu');
    },
  };

  beforeAll(async () => {
    database = await openTestDatabase();
    subgraph = await startSubgraph(jiangsuSubgraph, database, unreachable);
  });
  afterAll(async () => {
    await subgraph?.stop();
    await database?.close();
  });

  it('fails and writes nothing', async () => {
    const response = await subgraph.server.executeOperation(
      {
        query: `mutation { recordDisbursement(input: { projectId: "6f2d1c3e-2b1a-4d5e-9f00-000000000001", organizationId: "js-ruihua-charity-foundation", amount: { fen: 100 }, idempotencyKey: "unreachable-0001" }) { id } }`,
      },
      { contextValue: subgraph.createContext({ role: 'JIANGSU_OFFICE', subject: 'test', organizationId: null }) },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : null;
    expect(result?.errors?.[0]?.message).toMatch(/not reachable/);
    const [row] = await queryRows<{ entries: number }>(database.db, sql`select count(*)::int as entries from jiangsu.funding_entry`);
    expect(Number(row!.entries)).toBe(0);
  });
});
