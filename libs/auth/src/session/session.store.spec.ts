import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MemorySessionStore, RedisSessionStore, type SessionStore } from './session.store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch (error) {
    if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis at ${REDIS_URL} is not reachable`, { cause: error });
    process.stderr.write(
      `\n!!! Redis at ${REDIS_URL} is not reachable: the Redis session store tests are SKIPPED (set REQUIRE_REDIS=1 to fail instead) !!!\n\n`,
    );
    return false;
  } finally {
    probe.disconnect();
  }
}

/** The behaviour every SessionStore must have. */
function contract(make: () => SessionStore): void {
  const key = (): string => `k-${randomUUID()}`;

  it('creates, reads and deletes a record', async () => {
    const store = make();
    const k = key();
    await store.create(k, { sub: 'c-1', scopes: ['a', 'b'], n: 3, flag: true }, 10_000);
    expect(await store.get(k)).toEqual({ sub: 'c-1', scopes: ['a', 'b'], n: 3, flag: true });
    await store.delete(k);
    expect(await store.get(k)).toBeUndefined();
  });

  it('updates fields independently and never resurrects a deleted record', async () => {
    const store = make();
    const k = key();
    await store.create(k, { accessToken: 'old', lastSeenAt: 1 }, 10_000);
    expect(await store.update(k, { accessToken: 'new' }, 10_000)).toBe(true);
    expect(await store.update(k, { lastSeenAt: 2 }, 10_000)).toBe(true);
    expect(await store.get(k)).toEqual({ accessToken: 'new', lastSeenAt: 2 });
    await store.delete(k);
    expect(await store.update(k, { lastSeenAt: 3 }, 10_000)).toBe(false);
    expect(await store.get(k)).toBeUndefined();
  });

  it('expires records after their TTL', async () => {
    const store = make();
    const k = key();
    await store.create(k, { v: 1 }, 50);
    await new Promise((r) => setTimeout(r, 120));
    expect(await store.get(k)).toBeUndefined();
  });

  it('takes a record exactly once, even concurrently', async () => {
    const store = make();
    const k = key();
    await store.create(k, { state: 's' }, 10_000);
    const taken = await Promise.all([store.take(k), store.take(k), store.take(k)]);
    expect(taken.filter(Boolean)).toEqual([{ state: 's' }]);
    expect(await store.get(k)).toBeUndefined();
  });

  it('grants a lease to one owner at a time; only the owner releases it; it expires', async () => {
    const store = make();
    const k = key();
    const first = await store.acquireLease(k, 200);
    expect(first).toEqual(expect.any(String));
    expect(await store.acquireLease(k, 200)).toBeUndefined();
    await store.releaseLease(k, 'not-the-owner');
    expect(await store.acquireLease(k, 200)).toBeUndefined();
    await store.releaseLease(k, first!);
    const second = await store.acquireLease(k, 100);
    expect(second).toEqual(expect.any(String));
    await new Promise((r) => setTimeout(r, 150));
    expect(await store.acquireLease(k, 100)).toEqual(expect.any(String));
  });

  it('keeps index sets: add, list, remove; a later add never shortens the life of the set', async () => {
    const store = make();
    const index = key();
    expect(await store.indexMembers(index)).toEqual([]);
    await store.addToIndex(index, 'h1', 400);
    await store.addToIndex(index, 'h2', 100);
    await store.addToIndex(index, 'h1', 100);
    expect((await store.indexMembers(index)).sort()).toEqual(['h1', 'h2']);
    await new Promise((r) => setTimeout(r, 200));
    // Still there: the 400 ms of the first add were not cut to 100 ms.
    expect((await store.indexMembers(index)).sort()).toEqual(['h1', 'h2']);
    await store.removeFromIndex(index, ['h1', 'unknown']);
    expect(await store.indexMembers(index)).toEqual(['h2']);
    await store.removeFromIndex(index, []);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.indexMembers(index)).toEqual([]);
  });
}

describe('MemorySessionStore', () => {
  contract(() => new MemorySessionStore(1_000));

  it('is bounded: the least recently used record is evicted', async () => {
    const store = new MemorySessionStore(2);
    await store.create('a', { v: 'a' }, 10_000);
    await store.create('b', { v: 'b' }, 10_000);
    await store.get('a');
    await store.create('c', { v: 'c' }, 10_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual({ v: 'a' });
  });

  it('hands out copies: changing a read record does not change the stored one', async () => {
    const store = new MemorySessionStore(10);
    await store.create('a', { scopes: ['x'] }, 10_000);
    const read = (await store.get<{ scopes: string[] }>('a'))!;
    read.scopes.push('y');
    expect(await store.get('a')).toEqual({ scopes: ['x'] });
  });
});

const redisUp = await redisReachable();

describe.skipIf(!redisUp)('RedisSessionStore (real Redis)', () => {
  const prefix = `test:session-store:${randomUUID().slice(0, 8)}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  contract(() => new RedisSessionStore(redis, prefix));

  it('keeps each field as its own hash field under the prefix', async () => {
    const store = new RedisSessionStore(redis, prefix);
    await store.create('h', { sub: 'c-1', scopes: ['a'] }, 10_000);
    expect(await redis.hgetall(`${prefix}h`)).toEqual({ sub: '"c-1"', scopes: '["a"]' });
    expect(await redis.pttl(`${prefix}h`)).toBeGreaterThan(9_000);
  });
});
