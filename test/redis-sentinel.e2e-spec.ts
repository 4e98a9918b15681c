import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';

import { CookieJar, KNOWN_IDS } from '../sandbox/src/index.ts';
import { sleep } from './support/cache.js';
import { productCalls, startHaApps, type HaApps } from './support/redis-ha.js';
import { startRedisSentinel, type RedisSentinelTopology } from './support/redis-topology.js';
import { browserLogin, PROD_SESSION_COOKIE, spaFetch } from './support/web-auth.js';

/**
 * Every Redis feature behind a real Sentinel set (master + replica + 3 sentinels, quorum 2;
 * REDIS_MODE=sentinel), through the real apps, with a `SENTINEL FAILOVER` under light load: the
 * apps follow the new master without a restart. Public routes never answer 5xx (the cache falls
 * back to memory, rate limits fail open); Redis-backed sessions and partner keys answer 503 for a
 * bounded window while the master changes; data replicated before the failover survives it
 * (docs/redis.md says what a write just before it may lose).
 */

const ns = `ha${randomUUID().slice(0, 8)}`;
const prefixes = { auth: `${ns}:auth:`, session: `${ns}:session:`, cache: `${ns}:cache:` };
/** Longest the session and partner-key routes may answer 503 around the failover. */
const ERROR_WINDOW_MS = 10_000;

interface Sample {
  readonly at: number;
  readonly route: 'public-cache' | 'public-page' | 'session' | 'partner';
  readonly status: number;
}

describe('Redis Sentinel: sessions, caches, rate limits, leases and partner keys across a failover', () => {
  let topology: RedisSentinelTopology;
  let apps: HaApps;

  beforeAll(async () => {
    topology = await startRedisSentinel();
    apps = await startHaApps(topology.env, prefixes, { rateLimitMax: 1_000 });
  }, 60_000);
  afterAll(async () => {
    await apps?.close();
    await topology?.stop();
  });

  it('keeps working through SENTINEL FAILOVER without a restart; replicated sessions, keys and counters survive', async () => {
    const [webA, webB] = apps.webUrls;
    const [cacheA, cacheB] = apps.cache;
    const [partnerA, partnerB] = apps.partner;

    // Before: a session, a partner key registered by the script through the sentinels, a shared cache entry, counted hits.
    const jar = new CookieJar();
    const login = await browserLogin(webA, jar);
    expect(login.response?.status).toBe(302);
    jar.set(webB, PROD_SESSION_COOKIE, login.sessionId!, 'Path=/; Secure; HttpOnly; SameSite=Strict');
    expect((await spaFetch(jar, `${webB}/auth/user`)).status).toBe(200);
    const { key } = JSON.parse(
      await apps.partnerKeys('generate', '--partner', 'sentinel-partner', '--scopes', 'catalog:read', '--register', '--json'),
    ) as { key: string };
    const feed = (instance: { url: string }) => fetch(`${instance.url}/v1/catalog?limit=1`, { headers: { 'x-api-key': key } });
    const remaining = (res: Response) => Number(/r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1]);
    expect((await feed(partnerA)).status).toBe(200);
    const remainingBefore = remaining(await feed(partnerB));
    expect(remainingBefore).toBe(998);
    expect((await fetch(`${cacheA.url}/t/steady/${KNOWN_IDS.product}`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${cacheB.url}/t/steady/${KNOWN_IDS.product}`)).headers.get('x-cache')).toBe('HIT');
    // Replication is asynchronous: only what the replica has survives the switch (docs/redis.md).
    await topology.replicated();

    // Light load on every kind of route while the master changes.
    const samples: Sample[] = [];
    let loading = true;
    const probe = async (route: Sample['route'], request: () => Promise<Response>) => {
      while (loading) {
        const status = await request().then(
          (res) => res.status,
          () => 0,
        );
        samples.push({ at: Date.now(), route, status });
        await sleep(50);
      }
    };
    const load = Promise.all([
      probe('public-cache', () => fetch(`${cacheA.url}/t/steady/${KNOWN_IDS.productNoReviews}`)),
      probe('public-page', () => fetch(`${webA}/api/v1/pages/product/${KNOWN_IDS.product}`)),
      probe('session', () => spaFetch(jar, `${webB}/auth/user`)),
      probe('partner', () => feed(partnerA)),
    ]);
    await sleep(500);
    const failoverStarted = Date.now();
    const { from, to } = await topology.failover();
    expect(to).not.toBe(from);
    const switched = Date.now();
    // Keep the load on until the session and partner routes answer again, and 2 s beyond.
    const recovered = async (route: Sample['route']) => {
      const deadline = Date.now() + ERROR_WINDOW_MS + 10_000;
      while (Date.now() < deadline) {
        const last = samples.filter((s) => s.route === route && s.at > switched).at(-1);
        if (last?.status === 200) return;
        await sleep(100);
      }
    };
    await Promise.all([recovered('session'), recovered('partner')]);
    await sleep(2_000);
    loading = false;
    await load;

    const during = (route: Sample['route']) => samples.filter((s) => s.route === route);
    const statusesOf = (route: Sample['route']) => [...new Set(during(route).map((s) => s.status))].sort();
    // Public routes: no 5xx at any time (memory fallback, fail-open rate limits).
    expect(statusesOf('public-cache')).toEqual([200]);
    expect(statusesOf('public-page')).toEqual([200]);
    // Redis-backed routes: 200, or 503 (never "signed out", never 500) within a bounded window; 200 again at the end.
    for (const route of ['session', 'partner'] as const) {
      expect(statusesOf(route).every((status) => status === 200 || status === 503)).toBe(true);
      const errors = during(route).filter((s) => s.status !== 200);
      if (errors.length > 0) {
        expect(errors.at(-1)!.at - Math.min(errors[0].at, failoverStarted)).toBeLessThan(ERROR_WINDOW_MS);
      }
      expect(during(route).at(-1)!.status).toBe(200);
    }
    const report = (route: Sample['route']) => {
      const errors = during(route).filter((s) => s.status !== 200);
      const window = errors.length ? errors.at(-1)!.at - errors[0].at + 50 : 0;
      return `${route} ${errors.length}/${during(route).length} non-200 over ~${window} ms`;
    };
    console.info(`failover ${from} -> ${to} took ${switched - failoverStarted} ms; ${report('session')}; ${report('partner')}`);

    // After, on the new master, without any restart:
    // the session written (and replicated) before the failover is still there, on both instances;
    expect((await spaFetch(jar, `${webA}/auth/user`)).status).toBe(200);
    expect((await spaFetch(jar, `${webB}/auth/user`)).status).toBe(200);
    // a new sign-in writes to the new master;
    const again = new CookieJar();
    expect((await browserLogin(webB, again)).response?.status).toBe(302);
    expect((await spaFetch(again, `${webB}/auth/user`)).status).toBe(200);
    // the partner key is still registered and the rate-limit counter went on counting (shared, not reset);
    const after = await feed(partnerB);
    expect(after.status).toBe(200);
    expect(remaining(after)).toBeLessThan(remainingBefore);
    // the cache is shared again: B serves what A computed, and concurrent misses coalesce on the lease.
    expect(cacheA.app.get(CacheService).status()).toMatchObject({ kind: 'tiered', redis: 'ready' });
    expect((await fetch(`${cacheA.url}/t/steady/${KNOWN_IDS.productNoStock}`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${cacheB.url}/t/steady/${KNOWN_IDS.productNoStock}`)).headers.get('x-cache')).toBe('HIT');
    await apps.sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.productOutOfStock}`, latencyMs: 300 }]);
    const callsBefore = await productCalls(apps.sandbox);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? cacheA : cacheB).url}/t/steady/${KNOWN_IDS.productOutOfStock}`)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await productCalls(apps.sandbox)) - callsBefore).toBe(1);
    await apps.sandbox.admin.setFaults('catalog', []);
  });
});
