import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createLogger } from '@hub/server';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimits, type RateLimitConfig } from './rate-limit.ts';

/** The machine's Redis (CI starts one); each test counts under a prefix of its own. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const quiet = () => createLogger({ level: 'silent' });
const config = (overrides: Partial<RateLimitConfig> = {}): RateLimitConfig => ({
  perAddressPerMinute: 3,
  perIdentityPerMinute: 3,
  redisUrl: undefined,
  keyPrefix: `test-${randomUUID()}`,
  ...overrides,
});

describe('RateLimits', () => {
  const opened: RateLimits[] = [];
  const open = async (settings: RateLimitConfig, logger = quiet()) => {
    const limits = await RateLimits.create(settings, logger);
    opened.push(limits);
    return limits;
  };
  afterEach(async () => {
    for (const limits of opened.splice(0)) await limits.close();
  });

  it('takes the limit a minute per key, then refuses with the wait until the minute is over', async () => {
    const limits = await open(config());
    for (let i = 0; i < 3; i += 1) expect(await limits.take('address', '203.0.113.7')).toEqual({ allowed: true });
    const refused = await limits.take('address', '203.0.113.7');
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    if (!refused.allowed) expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another address, and the same text as an identity, have their own counts.
    expect((await limits.take('address', '203.0.113.8')).allowed).toBe(true);
    expect((await limits.take('identity', '203.0.113.7')).allowed).toBe(true);
  });

  it('counts a client once across replicas that share a Redis', async () => {
    const shared = config({ redisUrl: REDIS_URL });
    const [first, second] = [await open(shared), await open(shared)];
    const answers = [];
    for (const replica of [first, second, first, second]) answers.push((await replica.take('address', '198.51.100.1')).allowed);
    expect(answers).toEqual([true, true, true, false]);
  });

  it('keeps each replica counting alone without Redis', async () => {
    const alone = config();
    const [first, second] = [await open(alone), await open(alone)];
    const answers = [];
    for (const replica of [first, second, first, second]) answers.push((await replica.take('address', '198.51.100.1')).allowed);
    expect(answers).toEqual([true, true, true, true]);
  });

  it('counts in memory, and says so, while Redis cannot be reached', async () => {
    // A port that was free a moment ago: nothing answers there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const limits = await open(config({ redisUrl: `redis://127.0.0.1:${port}` }), logger);
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push((await limits.take('identity', 'zhang.san')).allowed);
    expect(answers).toEqual([true, true, true, false]);
    expect(lines.map((line) => line.message)).toContainEqual(expect.stringMatching(/counted in this process/));
  }, 15_000);
});
