import type { HubLogger } from '@hub/server';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type RateLimitScope = 'address' | 'identity';
export type Decision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimitConfig {
  perAddressPerMinute: number;
  perIdentityPerMinute: number;
  /** A Redis all the gateway's replicas share (`REDIS_URL`); none: each process counts alone. */
  redisUrl: string | undefined;
  /** Keeps several hubs on one Redis apart (`RATE_LIMIT_KEY_PREFIX`). */
  keyPrefix: string;
}

/** How long a start waits for Redis before it counts in memory until Redis answers. */
const REDIS_CONNECT_MS = 3_000;

/**
 * Requests a minute per caller address and per signed-in identity, each in fixed windows of a
 * minute (rate-limiter-flexible). With `REDIS_URL` the counts live in Redis, so a client is
 * counted once across every gateway replica; when Redis does not answer, each replica counts in
 * its own memory meanwhile (a warning says so) rather than refuse or wave everyone through.
 * Without Redis the counts are the process's own.
 */
export class RateLimits {
  private constructor(
    private readonly limiters: Record<RateLimitScope, RateLimiterAbstract>,
    private readonly redis: Redis | undefined,
  ) {}

  static async create(config: RateLimitConfig, logger: HubLogger): Promise<RateLimits> {
    const memory = (scope: RateLimitScope, points: number) => new RateLimiterMemory({ keyPrefix: `${config.keyPrefix}:${scope}`, points, duration: 60 });
    if (!config.redisUrl) {
      return new RateLimits({ address: memory('address', config.perAddressPerMinute), identity: memory('identity', config.perIdentityPerMinute) }, undefined);
    }
    // Loaded only where Redis is configured: it is a tenth of a second of a start.
    const { Redis } = await import('ioredis');
    // No queue while disconnected: a count that cannot reach Redis goes to memory at once.
    const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: REDIS_CONNECT_MS });
    watchRedis(redis, logger);
    const shared = (scope: RateLimitScope, points: number) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.keyPrefix}:${scope}`, points, duration: 60, insuranceLimiter: memory(scope, points) });
    const limits = new RateLimits({ address: shared('address', config.perAddressPerMinute), identity: shared('identity', config.perIdentityPerMinute) }, redis);
    // Not events.once: it would reject on the first connection error, which watchRedis reports.
    const ready = await Promise.race([
      new Promise<true>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<false>((resolve) => setTimeout(resolve, REDIS_CONNECT_MS, false).unref()),
    ]);
    if (!ready) logger.warn('Redis did not answer at start: rate limits are counted in this process until it does');
    return limits;
  }

  /** Counts one request of `key` in `scope`; refused when its minute's count is spent. */
  async take(scope: RateLimitScope, key: string): Promise<Decision> {
    try {
      await this.limiters[scope].consume(key);
      return { allowed: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
    }
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

/** Says once when Redis goes away and once when it is back, not at every reconnection try. */
function watchRedis(redis: Redis, logger: HubLogger): void {
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, 'Redis cannot be reached: rate limits are counted in this process until it can');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.warn('Redis answers again: rate limits are shared by the replicas again');
  });
}
