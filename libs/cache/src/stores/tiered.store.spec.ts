import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CacheEntry } from './entry.js';
import { TieredStore, type TieredStoreOptions } from './tiered.store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisUp(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const up = await redisUp();
if (!up) {
  if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis is not reachable at ${REDIS_URL}`);
  process.stderr.write(
    `\n*** Redis is not reachable at ${REDIS_URL}: SKIPPING the TieredStore tests (REQUIRE_REDIS=1 makes this an error) ***\n\n`,
  );
}

const options = (prefix: string, over: Partial<TieredStoreOptions['redis']> = {}): TieredStoreOptions => ({
  memory: { maxEntries: 100, maxBytes: 1_000_000, maxEntryBytes: 100_000 },
  memoryTtlMs: 1_000,
  redis: {
    topology: { mode: 'standalone', url: REDIS_URL },
    prefix,
    commandTimeoutMs: 500,
    connectTimeoutMs: 1_000,
    circuitOpenMs: 1_000,
    warnIntervalMs: 60_000,
    ...over,
  },
});
const entry = (value: unknown, tags: string[] = [], ttl = 60_000): CacheEntry => {
  const now = Date.now();
  return { value, storedAt: now, freshUntil: now + ttl, expiresAt: now + ttl, tags };
};

describe.skipIf(!up)('TieredStore on a real Redis', () => {
  const prefix = `test:cache-unit:${randomUUID().slice(0, 8)}:`;
  let a: TieredStore;
  let b: TieredStore;
  let redis: Redis;
  beforeAll(async () => {
    a = new TieredStore(options(prefix));
    b = new TieredStore(options(prefix));
    redis = new Redis(REDIS_URL);
    await Promise.all([a.ready(2_000), b.ready(2_000)]);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await a.close();
    await b.close();
  });

  it('shares entries between instances and indexes tags in Redis sets with a TTL', async () => {
    expect(await a.set('k1', entry({ n: 1 }, ['product:1', 'all']))).toBe('ok');
    expect((await b.get('k1'))?.value).toEqual({ n: 1 });
    expect(await redis.smembers(`${prefix}tag:product:1`)).toEqual([`${prefix}k1`]);
    expect(await redis.pttl(`${prefix}tag:product:1`)).toBeGreaterThan(50_000);
    expect(await redis.pttl(`${prefix}k1`)).toBeGreaterThan(50_000);
    await a.set('k2', entry({ n: 2 }, ['all']));
    const result = await b.invalidateTags(['all']);
    expect(result.shared).toBe('ok');
    expect(result.removed).toBeGreaterThanOrEqual(2); // both Redis entries (plus B's memory copy of k1)
    expect(await a.get('k1', { skipMemory: true })).toBeUndefined();
    expect(await redis.exists(`${prefix}tag:all`)).toBe(0);
  });

  it('grants a lease to one holder at a time, released only by its holder, expiring on its own', async () => {
    const first = await a.acquireLease('job', 300);
    expect(first.state).toBe('acquired');
    expect((await b.acquireLease('job', 300)).state).toBe('held');
    expect(await b.pollShared('job')).toEqual({ entry: undefined, leaseHeld: true });
    if (first.state === 'acquired') await first.release();
    expect((await b.acquireLease('job', 200)).state).toBe('acquired');
    // b never releases (a holder that died): the lease expires by itself.
    await new Promise((r) => setTimeout(r, 250));
    expect((await a.pollShared('job'))?.leaseHeld).toBe(false);
    expect((await a.acquireLease('job', 200)).state).toBe('acquired');
  });

  it('reads a corrupt Redis value as a miss and removes it', async () => {
    await redis.set(`${prefix}bad`, '{"v":1,', 'PX', 60_000);
    expect(await a.get('bad')).toBeUndefined();
    expect(a.counters().corrupt).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(await redis.exists(`${prefix}bad`)).toBe(0);
  });

  it('falls back to memory (full entry lifetime) when Redis cannot be reached, without waiting', async () => {
    const down = new TieredStore(options(prefix, { topology: { mode: 'standalone', url: 'redis://127.0.0.1:1' }, connectTimeoutMs: 100 }));
    try {
      await down.ready(150);
      expect(down.status().redis).toBe('unavailable');
      const started = performance.now();
      expect(await down.set('m', entry('v', ['t'], 5_000))).toBe('unavailable');
      expect((await down.get('m'))?.value).toBe('v');
      expect(await down.acquireLease('m', 100)).toEqual({ state: 'local' });
      expect(await down.pollShared('m')).toBeUndefined();
      expect(await down.invalidateTags(['t'])).toEqual({ removed: 1, shared: 'unavailable' });
      expect(performance.now() - started).toBeLessThan(100);
    } finally {
      await down.close();
    }
  });
});
