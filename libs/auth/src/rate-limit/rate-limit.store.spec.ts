import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FailOpenRateLimitStore, MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from './rate-limit.store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function connectRedis(): Promise<Redis | undefined> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis at ${REDIS_URL} is not reachable`, { cause: error });
    process.stderr.write(
      `\n!!! Redis at ${REDIS_URL} is not reachable: the Redis rate-limit store tests are SKIPPED (set REQUIRE_REDIS=1 to fail instead) !!!\n\n`,
    );
    return undefined;
  }
}

const redis = await connectRedis();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The contract both stores implement (fixed window, block after the limit, no counting while blocked). */
function contract(name: string, make: () => RateLimitStore) {
  describe(`${name} rate-limit store`, () => {
    const key = () => `test:${randomUUID()}`;

    it('counts hits in a window and blocks the hit that exceeds the limit', async () => {
      const store = make();
      const k = key();
      const records = [];
      for (let i = 0; i < 4; i++) records.push(await store.increment(k, 10_000, 3, 5_000, 'default'));
      expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
        [1, false],
        [2, false],
        [3, false],
        [4, true],
      ]);
      expect(records[0].timeToExpire).toBe(10);
      expect(records[3].timeToBlockExpire).toBe(5);
      expect(await store.blockedFor(k)).toBeGreaterThan(4_000);
      // While blocked, further hits are refused and not counted.
      const again = await store.increment(k, 10_000, 3, 5_000, 'default');
      expect(again.isBlocked).toBe(true);
      expect(again.timeToBlockExpire).toBeLessThanOrEqual(5);
    });

    it('starts a new window after the ttl and after a block', async () => {
      const store = make();
      const k = key();
      await store.increment(k, 300, 1, 300, 'default');
      expect((await store.increment(k, 300, 1, 300, 'default')).isBlocked).toBe(true);
      await sleep(350);
      expect(await store.blockedFor(k)).toBe(0);
      expect(await store.increment(k, 300, 1, 300, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
      const other = key();
      await store.increment(other, 200, 5, 0, 'default');
      await sleep(250);
      expect((await store.increment(other, 200, 5, 0, 'default')).totalHits).toBe(1);
    });

    it('with blockDuration 0 blocks until the window ends', async () => {
      const store = make();
      const k = key();
      await store.increment(k, 2_000, 1, 0, 'default');
      const blocked = await store.increment(k, 2_000, 1, 0, 'default');
      expect(blocked.isBlocked).toBe(true);
      expect(blocked.timeToBlockExpire).toBe(2);
    });

    it('counts concurrent hits exactly', async () => {
      const store = make();
      const k = key();
      const records = await Promise.all(Array.from({ length: 40 }, () => store.increment(k, 10_000, 25, 10_000, 'default')));
      expect(records.filter((r) => !r.isBlocked)).toHaveLength(25);
    });
  });
}

contract('memory', () => new MemoryRateLimitStore());

describe.skipIf(!redis)('Redis', () => {
  const prefix = `bff-test-${randomUUID()}:`;
  afterAll(async () => {
    const keys = await redis!.keys(`${prefix}*`);
    if (keys.length) await redis!.del(...keys);
    redis!.disconnect();
  });

  contract('redis', () => new RedisRateLimitStore(redis!, prefix));

  it('shares counters between two stores (two instances) on one Redis, under a documented key layout', async () => {
    const a: RateLimitStore = new RedisRateLimitStore(redis!, prefix);
    const b: RateLimitStore = new RedisRateLimitStore(redis!, prefix);
    const k = `shared:${randomUUID()}`;
    await a.increment(k, 10_000, 3, 10_000, 'default');
    await b.increment(k, 10_000, 3, 10_000, 'default');
    await a.increment(k, 10_000, 3, 10_000, 'default');
    expect((await b.increment(k, 10_000, 3, 10_000, 'default')).isBlocked).toBe(true);
    expect(await redis!.exists(`${prefix}rl:{${k}}:block`)).toBe(1);
  });
});

describe('FailOpenRateLimitStore', () => {
  let broken: Redis;
  beforeAll(() => {
    // Nothing listens on port 9: every command fails at once (no offline queue).
    broken = new Redis('redis://127.0.0.1:9', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    broken.on('error', () => undefined);
  });
  afterAll(() => broken.disconnect());

  it('lets requests through and warns when the store fails', async () => {
    const warnings: string[] = [];
    const store = new FailOpenRateLimitStore(new RedisRateLimitStore(broken, 'x:'), (message) => warnings.push(message));
    const started = performance.now();
    const record = await store.increment('k', 60_000, 1, 0, 'default');
    expect(record).toEqual({ totalHits: 0, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(await store.blockedFor('k')).toBe(0);
    expect(performance.now() - started).toBeLessThan(500);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/fail open/);
  });
});
