import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '@hub/testkit';

/** The machine's Redis (CI starts one). */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const ask = (hub: TestHub, headers: Record<string, string> = {}) => hub.query(`{ prefectures { code } }`, {}, { headers });

describe('rate limits shared by two gateway replicas through Redis', () => {
  let replicas: TestHub[];
  beforeAll(async () => {
    // One prefix for both, its own for this run: other hubs on the same Redis count apart.
    const env = { REDIS_URL, RATE_LIMIT_KEY_PREFIX: `test-${randomUUID()}`, RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_PER_IDENTITY: '1000' };
    replicas = [await startTestHub('all-in-one', env), await startTestHub('all-in-one', env)];
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.stop();
  });

  it("counts a client's requests once whichever replica takes them", async () => {
    const [first, second] = replicas as [TestHub, TestHub];
    const statuses = [];
    for (const replica of [first, second, first, second]) statuses.push((await ask(replica)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await ask(first);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'address' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('the client address behind a proxy', () => {
  const limited = { RATE_LIMIT_PER_ADDRESS: '2', RATE_LIMIT_PER_IDENTITY: '1000' };
  let behindProxy: TestHub;
  let direct: TestHub;
  beforeAll(async () => {
    // The tests' requests come from 127.0.0.1: the proxy, for the first hub.
    behindProxy = await startTestHub('all-in-one', { ...limited, TRUSTED_PROXIES: 'loopback' });
    direct = await startTestHub('all-in-one', limited);
  });
  afterAll(async () => {
    await behindProxy?.stop();
    await direct?.stop();
  });

  it('is the forwarded address when the socket is a trusted proxy', async () => {
    const from = (address: string) => ask(behindProxy, { 'x-forwarded-for': address });
    expect([(await from('203.0.113.7')).status, (await from('203.0.113.7')).status, (await from('203.0.113.7')).status]).toEqual([200, 200, 429]);
    // Another client behind the same proxy has a count of its own.
    expect((await from('203.0.113.8')).status).toBe(200);
    // An address the client put before the proxy's own entry is not believed: the proxy saw 203.0.113.7.
    expect((await from('198.51.100.9, 203.0.113.7')).status).toBe(429);
  });

  it('is the socket address, whatever the header says, when no proxy is trusted', async () => {
    const statuses = [];
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push((await ask(direct, { 'x-forwarded-for': address })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('rate-limit settings', () => {
  it('are checked at start', async () => {
    await expect(startTestHub('all-in-one', { TRUSTED_PROXIES: 'the-balancer' })).rejects.toThrow(/TRUSTED_PROXIES/);
    await expect(startTestHub('all-in-one', { REDIS_URL: 'http://127.0.0.1:6379' })).rejects.toThrow(/REDIS_URL must be a redis:\/\//);
  });
});
