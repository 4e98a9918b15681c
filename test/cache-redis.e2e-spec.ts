import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';

import { KNOWN_IDS, type Sandbox } from '../sandbox/src/index.ts';
import { CACHE_TEST_APP, CacheTestAppModule } from './support/cache-test-app.js';
import {
  deletePrefix,
  eventually,
  keysUnder,
  sleep,
  startCacheApp,
  startTestSandbox,
  testPrefix,
  throwawayRedis,
  type CacheApp,
  type ThrowawayRedis,
} from './support/cache.js';
import { productCalls, steadyKey } from './support/redis-ha.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { postJson } from './support/stack.js';

const hasRedis = await redisAvailable('the Redis cache suite');
const cacheOf = (app: CacheApp) => app.app.get(CacheService);

describe.skipIf(!hasRedis)('two-tier cache on a shared Redis (two instances)', () => {
  let sandbox: Sandbox;
  let a: CacheApp;
  let b: CacheApp;
  let redis: Redis;
  const prefix = testPrefix();
  // Generous command timeout: these tests are about sharing and coalescing, not about a slow Redis.
  const env = { REDIS_URL, CACHE_REDIS_KEY_PREFIX: prefix, CACHE_REDIS_COMMAND_TIMEOUT_MS: '500', CACHE_L1_TTL_MS: '30000' };
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    a = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, env);
    b = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, env);
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.close();
    await deletePrefix(REDIS_URL, prefix);
    redis?.disconnect();
  });
  afterEach(async () => {
    await Promise.all([cacheOf(a).settled(), cacheOf(b).settled()]);
    await sandbox.admin.reset();
  });

  it('serves on instance B the value instance A computed', async () => {
    expect(cacheOf(a).status()).toMatchObject({ kind: 'tiered', redis: 'ready' });
    const fromA = await fetch(`${a.url}/t/steady/${KNOWN_IDS.product}`);
    expect(fromA.headers.get('x-cache')).toBe('MISS');
    const fromB = await fetch(`${b.url}/t/steady/${KNOWN_IDS.product}`);
    expect(fromB.headers.get('x-cache')).toBe('HIT');
    expect(fromB.headers.get('etag')).toBe(fromA.headers.get('etag'));
    expect(await fromB.json()).toEqual(await fromA.json());
    expect(await productCalls(sandbox)).toBe(1);
    // The entry and its tag index live in Redis under our prefix.
    expect(await redis.exists(`${prefix}${steadyKey(KNOWN_IDS.product)}`)).toBe(1);
    expect(await redis.sismember(`${prefix}tag:product:${KNOWN_IDS.product}`, `${prefix}${steadyKey(KNOWN_IDS.product)}`)).toBe(1);
  });

  it('coalesces concurrent misses across both instances into one upstream call (Redis lease)', async () => {
    await sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.productOutOfStock}`, latencyMs: 300 }]);
    const url = (app: CacheApp) => `${app.url}/t/steady/${KNOWN_IDS.productOutOfStock}`;
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => fetch(url(i % 2 ? a : b))));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const computations = new Set((await Promise.all(responses.map((r) => r.json()))).map((body) => body.computation));
    expect(computations.size).toBe(1);
    expect(await productCalls(sandbox)).toBe(1);
    expect(cacheOf(a).counters().coalescedRemote + cacheOf(b).counters().coalescedRemote).toBeGreaterThanOrEqual(1);
  });

  it('broadcasts invalidations: the other instance drops its memory copy at once', async () => {
    const id = KNOWN_IDS.productNoReviews;
    await fetch(`${a.url}/t/steady/${id}`);
    expect((await fetch(`${b.url}/t/steady/${id}`)).headers.get('x-cache')).toBe('HIT'); // now in B's memory (L1 ttl 30 s)
    const bMemory = () => (cacheOf(b).store as unknown as { memory: { keysForTag(tag: string): string[] } }).memory;
    expect(bMemory().keysForTag(`product:${id}`)).toEqual([steadyKey(id)]);

    const result = await postJson(`${a.url}/admin/cache/invalidate`, { tags: [`product:${id}`] }, { 'x-test-admin': 'cache:admin' });
    expect(await result.json()).toEqual({ removed: 2, shared: 'ok' }); // A's memory copy + the Redis entry
    await eventually(() => bMemory().keysForTag(`product:${id}`).length === 0, 2_000, "B's memory copy to go");
    expect((await fetch(`${b.url}/t/steady/${id}`)).headers.get('x-cache')).toBe('MISS');
    expect(await productCalls(sandbox)).toBe(2);
  });

  it('does not wait for a lease holder that died: bounded wait, then lease expiry', async () => {
    const id = KNOWN_IDS.productNoPrice;
    const lock = `${prefix}lock:${steadyKey(id)}`;
    // A holder that took the lease and died: it never stores nor releases. The lease expires in 300 ms.
    await redis.set(lock, 'dead-holder', 'PX', 300);
    const started = performance.now();
    const res = await fetch(`${a.url}/t/steady/${id}`);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('MISS');
    expect(elapsed).toBeGreaterThanOrEqual(250); // it did wait for the holder...
    expect(elapsed).toBeLessThan(1_500); // ...only until the lease expired, not CACHE_LOCK_WAIT_MS (2 s)
    expect(await productCalls(sandbox)).toBe(1);
  });

  it('treats a corrupt Redis entry as a miss and replaces it', async () => {
    const id = KNOWN_IDS.productNoStock;
    const solo = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, { ...env, CACHE_L1_TTL_MS: '0' });
    try {
      const key = `${prefix}${steadyKey(id)}`;
      for (const garbage of ['{"v":1,"s":', 'not json at all', JSON.stringify({ v: 99, s: 1, f: 2, e: 3, t: [], d: {} })]) {
        await redis.set(key, garbage, 'PX', 60_000);
        const res = await fetch(`${solo.url}/t/steady/${id}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-cache')).toBe('MISS');
        expect(JSON.parse((await redis.get(key))!)).toMatchObject({ v: 1, d: { body: expect.any(String) } });
        expect((await fetch(`${solo.url}/t/steady/${id}`)).headers.get('x-cache')).toBe('HIT');
      }
      expect(cacheOf(solo).counters().store.corrupt).toBe(3);
      expect(await productCalls(sandbox)).toBe(3);
    } finally {
      await solo.close();
    }
  });
});

describe.skipIf(!hasRedis)('cache resilience: a Redis of our own, stopped, slowed and restarted mid-test', () => {
  let sandbox: Sandbox;
  let server: ThrowawayRedis;
  let app: CacheApp;
  const prefix = testPrefix();
  const env = () => ({
    REDIS_URL: server.url,
    CACHE_REDIS_KEY_PREFIX: prefix,
    CACHE_REDIS_COMMAND_TIMEOUT_MS: '50',
    CACHE_REDIS_CIRCUIT_OPEN_MS: '300',
    CACHE_L1_TTL_MS: '1000',
  });
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    server = await throwawayRedis();
    app = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, env());
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await server?.stop();
  });

  const timed = async (path: string, target: CacheApp = app): Promise<{ res: Response; ms: number }> => {
    const started = performance.now();
    const res = await fetch(`${target.url}${path}`);
    return { res, ms: performance.now() - started };
  };

  it('keeps answering 200 while Redis is down or slow, and recovers by itself when it is back', async () => {
    expect((await timed(`/t/steady/${KNOWN_IDS.product}`)).res.headers.get('x-cache')).toBe('MISS');
    expect((await timed(`/t/steady/${KNOWN_IDS.product}`)).res.headers.get('x-cache')).toBe('HIT');

    await server.stop();
    for (const id of [KNOWN_IDS.product, KNOWN_IDS.productOutOfStock, KNOWN_IDS.productOutOfStock, KNOWN_IDS.productNoReviews]) {
      const { res, ms } = await timed(`/t/steady/${id}`);
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(1_000);
    }
    expect(cacheOf(app).status().redis).toBe('unavailable');
    // Redis down, the instance caches on its own: the second read of p-00003 was a memory hit.
    expect((await timed(`/t/steady/${KNOWN_IDS.productOutOfStock}`)).res.headers.get('x-cache')).toBe('HIT');
    // Invalidation cannot reach the other instances: the admin route says so (503), after clearing this one.
    const partial = await postJson(
      `${app.url}/admin/cache/invalidate`,
      { tags: [`product:${KNOWN_IDS.productOutOfStock}`] },
      { 'x-test-admin': 'cache:admin' },
    );
    expect(partial.status).toBe(503);
    expect((await partial.json()).type).toMatch(/cache-unavailable$/);
    expect((await timed(`/t/steady/${KNOWN_IDS.productOutOfStock}`)).res.headers.get('x-cache')).toBe('MISS');

    await server.start(); // same port, empty
    await eventually(() => cacheOf(app).status().redis === 'ready', 5_000, 'the cache to reconnect to Redis');
    expect((await timed(`/t/steady/${KNOWN_IDS.productNoStock}`)).res.headers.get('x-cache')).toBe('MISS');
    const keys = await keysUnder(server.url, prefix);
    expect(keys).toContain(`${prefix}${steadyKey(KNOWN_IDS.productNoStock)}`);
    // Shared again: a second instance reads what the first stored after the outage.
    const other = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, env());
    try {
      expect((await timed(`/t/steady/${KNOWN_IDS.productNoStock}`, other)).res.headers.get('x-cache')).toBe('HIT');
    } finally {
      await other.close();
    }

    // A slow Redis (every client paused for 600 ms): bounded by the 50 ms command timeout.
    const admin = new Redis(server.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '600', 'ALL');
      for (const id of [KNOWN_IDS.productNoPrice, KNOWN_IDS.product]) {
        const { res, ms } = await timed(`/t/steady/${id}`);
        expect(res.status).toBe(200);
        expect(ms).toBeLessThan(400);
      }
    } finally {
      admin.disconnect();
    }
    await sleep(700);
    await eventually(
      async () => {
        await timed(`/t/steady/${KNOWN_IDS.productNoPrice}`);
        return cacheOf(app).status().redis === 'ready';
      },
      5_000,
      'the circuit to close again',
    );
  }, 30_000);
});
