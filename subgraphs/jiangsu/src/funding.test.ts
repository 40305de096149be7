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

/**
 * The project's stage (the pairing's) and its provenance (Shaanxi's) do not depend on each
 * other, so a pledge asks both at once: each peer here answers only once the other has been
 * asked, and a lookup made after the other has finished would wait for ever.
 */
describe('a pledge asks the pairing and Shaanxi at once', () => {
  let database: Database;
  let subgraph: RunningSubgraph<JiangsuContext>;
  const asked: string[] = [];
  let bothAsked: () => void;
  const together = new Promise<void>((resolve) => (bothAsked = resolve));
  const peers: Peers = {
    async query<TData>(name: string) {
      asked.push(name);
      if (asked.length === 2) bothAsked();
      const timedOut = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} was asked alone`)), 2_000));
      await Promise.race([together, timedOut]);
      const entity = name === 'pairing' ? { stage: 'PUBLISHED' } : { publishedAt: '2026-01-01T00:00:00.000Z', provenance: { kind: 'ENTERED' } };
      return { _entities: [entity] } as TData;
    },
  };

  beforeAll(async () => {
    database = await openTestDatabase();
    subgraph = await startSubgraph(jiangsuSubgraph, database, peers);
  });
  afterAll(async () => {
    await subgraph?.stop();
    await database?.close();
  });

  it('records the pledge after one round of lookups', async () => {
    const response = await subgraph.server.executeOperation(
      {
        query: `mutation { recordPledge(input: { projectId: "6f2d1c3e-2b1a-4d5e-9f00-000000000002", organizationId: "js-ruihua-charity-foundation", amount: { fen: 100 }, idempotencyKey: "together-0001" }) { amount { fen } } }`,
      },
      { contextValue: subgraph.createContext({ role: 'FOUNDATION_MEMBER', subject: 'test', organizationId: 'js-ruihua-charity-foundation' }) },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : null;
    expect(result?.errors).toBeUndefined();
    expect(result?.data).toEqual({ recordPledge: { amount: { fen: 100 } } });
    expect(asked.sort()).toEqual(['pairing', 'shaanxi']);
  });
});
