import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';

import { KNOWN_IDS, type Sandbox } from '../sandbox/src/index.ts';
import { CACHE_TEST_APP, CacheTestAppModule, LeakyCacheAppModule } from './support/cache-test-app.js';
import { sleep, startCacheApp, startTestSandbox, type CacheApp } from './support/cache.js';
import { expectProblem, postJson } from './support/stack.js';

const productCalls = async (sandbox: Sandbox): Promise<number> => (await sandbox.admin.stats('catalog')).byRoute['GET /products/:id'] ?? 0;
const listCalls = async (sandbox: Sandbox): Promise<number> => (await sandbox.admin.stats('catalog')).byRoute['GET /products'] ?? 0;

describe('route cache (memory store) against the real sandbox', () => {
  let sandbox: Sandbox;
  let app: CacheApp;
  let cache: CacheService;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox);
    cache = app.app.get(CacheService);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });
  afterEach(async () => {
    await cache.settled();
    await sandbox.admin.reset();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => fetch(`${app.url}${path}`, { headers, method });

  it('serves a MISS, then HITs with the same body, ETag and public Cache-Control, without calling the upstream again', async () => {
    const first = await get(`/t/steady/${KNOWN_IDS.product}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=30');
    expect(first.headers.get('vary')).toMatch(/Accept-Language/);
    expect(first.headers.get('vary')).not.toMatch(/Cookie|Authorization|X-Api-Key/i);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = await first.json();
    expect(body).toMatchObject({ id: KNOWN_IDS.product, name: expect.any(String) });

    const second = await get(`/t/steady/${KNOWN_IDS.product}`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('etag')).toBe(etag);
    expect(second.headers.get('age')).toMatch(/^\d+$/);
    expect(await second.json()).toEqual(body);
    const head = await get(`/t/steady/${KNOWN_IDS.product}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(head.headers.get('etag')).toBe(etag);
    expect(await productCalls(sandbox)).toBe(1);
  });

  it('answers a matching If-None-Match with an empty 304, on a miss and on a hit', async () => {
    const first = await get(`/t/steady/${KNOWN_IDS.productOutOfStock}`);
    const etag = first.headers.get('etag')!;
    const revalidated = await get(`/t/steady/${KNOWN_IDS.productOutOfStock}`, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('x-cache')).toBe('HIT');
    expect(revalidated.headers.get('cache-control')).toBe('public, max-age=30');
    expect(await revalidated.text()).toBe('');
    const weak = await get(`/t/steady/${KNOWN_IDS.productOutOfStock}`, { 'if-none-match': `"other", W/${etag}` });
    expect(weak.status).toBe(304);
    const changed = await get(`/t/steady/${KNOWN_IDS.productOutOfStock}`, { 'if-none-match': '"stale-etag"' });
    expect(changed.status).toBe(200);
    expect((await changed.json()).id).toBe(KNOWN_IDS.productOutOfStock);
    // Recomputed with different content (the computation counter moved): the old ETag no longer matches.
    await cache.invalidateTags([`product:${KNOWN_IDS.productOutOfStock}`]);
    const recomputed = await get(`/t/steady/${KNOWN_IDS.productOutOfStock}`, { 'if-none-match': etag });
    expect(recomputed.headers.get('x-cache')).toBe('MISS');
    expect(recomputed.status).toBe(200);
    expect(recomputed.headers.get('etag')).not.toBe(etag);
  });

  it('keys declared vary headers (normalized) but not undeclared ones', async () => {
    const id = KNOWN_IDS.productNoReviews;
    expect((await get(`/t/steady/${id}`, { 'accept-language': 'de-DE, en;q=0.5' })).headers.get('x-cache')).toBe('MISS');
    expect((await get(`/t/steady/${id}`, { 'accept-language': 'DE-de,en;q=0.5' })).headers.get('x-cache')).toBe('HIT');
    expect((await get(`/t/steady/${id}`, { 'accept-language': 'fr' })).headers.get('x-cache')).toBe('MISS');
    expect((await get(`/t/steady/${id}`, { 'accept-language': 'fr', 'x-whatever': 'a' })).headers.get('x-cache')).toBe('HIT');
    expect(await productCalls(sandbox)).toBe(2);
  });

  it("never serves one user's private response to another user on the same URL", async () => {
    const url = `/t/me/products/${KNOWN_IDS.product}`;
    const alice = await get(url, { 'x-test-user': 'alice' });
    expect(alice.headers.get('x-cache')).toBe('MISS');
    expect(alice.headers.get('cache-control')).toBe('private, no-cache');
    expect(alice.headers.get('vary')).toMatch(/Cookie/);
    expect(alice.headers.get('vary')).toMatch(/Authorization/);
    expect(alice.headers.get('vary')).toMatch(/X-Api-Key/);
    expect((await alice.json()).owner).toBe('alice');

    const bob = await get(url, { 'x-test-user': 'bob' });
    expect(bob.headers.get('x-cache')).toBe('MISS');
    expect((await bob.json()).owner).toBe('bob');

    const aliceAgain = await get(url, { 'x-test-user': 'alice' });
    expect(aliceAgain.headers.get('x-cache')).toBe('HIT');
    expect((await aliceAgain.json()).owner).toBe('alice');
    const bobAgain = await get(url, { 'x-test-user': 'bob' });
    expect(bobAgain.headers.get('x-cache')).toBe('HIT');
    expect((await bobAgain.json()).owner).toBe('bob');
    // Bob cannot revalidate into Alice's representation either.
    const bobWithAliceEtag = await get(url, { 'x-test-user': 'bob', 'if-none-match': aliceAgain.headers.get('etag')! });
    expect(bobWithAliceEtag.status).toBe(200);
    expect((await bobWithAliceEtag.json()).owner).toBe('bob');
    await expectProblem(await get(url), 401, 'missing-credentials');
    expect(await productCalls(sandbox)).toBe(2);
  });

  it("never serves one partner's response to another partner, and normalizes the query (allowlist, order)", async () => {
    const acme = await get('/t/partner/feed?limit=2', { 'x-test-partner': 'acme' });
    expect(acme.headers.get('x-cache')).toBe('MISS');
    expect((await acme.json()).partner).toBe('acme');
    const globex = await get('/t/partner/feed?limit=2', { 'x-test-partner': 'globex' });
    expect(globex.headers.get('x-cache')).toBe('MISS');
    expect((await globex.json()).partner).toBe('globex');
    // Undeclared parameters are dropped from the key: cache-busting cannot multiply entries.
    const busted = await get('/t/partner/feed?utm=x&limit=2&zz=1', { 'x-test-partner': 'acme' });
    expect(busted.headers.get('x-cache')).toBe('HIT');
    expect((await busted.json()).partner).toBe('acme');
    expect((await get('/t/partner/feed?limit=3', { 'x-test-partner': 'acme' })).headers.get('x-cache')).toBe('MISS');
    expect(await listCalls(sandbox)).toBe(3);
  });

  it('shares a declared caller-independent response between members, never with anonymous callers nor shared caches', async () => {
    const url = `/t/shared-with-members/${KNOWN_IDS.product}`;
    const alice = await get(url, { 'x-test-user': 'alice' });
    expect(alice.headers.get('x-cache')).toBe('MISS');
    expect(alice.headers.get('cache-control')).toBe('private, max-age=30');
    const bob = await get(url, { 'x-test-user': 'bob' });
    expect(bob.headers.get('x-cache')).toBe('HIT');
    expect(await bob.json()).toEqual(await alice.json());
    // The access guard runs before the cache: a hit never skips authentication.
    await expectProblem(await get(url), 401, 'missing-credentials');
    expect(await productCalls(sandbox)).toBe(1);
  });

  it('never caches a caller-bound route that has no verified identity (fail safe)', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await get(`/t/anon/${KNOWN_IDS.product}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('BYPASS');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('etag')).toBeNull();
    }
    expect(await productCalls(sandbox)).toBe(2);
  });

  it('coalesces 50 concurrent identical misses into exactly one upstream call', async () => {
    await sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.productNoStock}`, latencyMs: 300 }]);
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(`/t/steady/${KNOWN_IDS.productNoStock}`)));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(bodies.map((b) => b.computation)).size).toBe(1);
    expect(await productCalls(sandbox)).toBe(1);
    expect(cache.counters().coalesced).toBeGreaterThanOrEqual(40);
  });

  it('serves stale while revalidating once in the background, then stale-if-error, then fails past the window', async () => {
    // ttl 1 s, staleWhileRevalidate 2 s, staleIfError 4 s
    const url = `/t/products/${KNOWN_IDS.product}`;
    const first = await get(url);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('cache-control')).toBe('public, max-age=1, stale-while-revalidate=2, stale-if-error=4');
    const { computation } = await first.json();

    await sleep(1_150);
    const stale = await Promise.all(Array.from({ length: 5 }, () => get(url)));
    for (const res of stale) {
      expect(res.headers.get('x-cache')).toBe('STALE');
      expect(res.headers.get('x-cache-stale')).toBe('1');
      expect((await res.json()).computation).toBe(computation);
    }
    await cache.settled();
    expect(await productCalls(sandbox)).toBe(2); // one background refresh for five stale answers
    const refreshed = await get(url);
    expect(refreshed.headers.get('x-cache')).toBe('HIT');
    expect(refreshed.headers.get('x-cache-stale')).toBeNull();
    const refreshedBody = await refreshed.json();
    expect(refreshedBody.computation).toBeGreaterThan(computation);

    // Past ttl + staleWhileRevalidate, with the upstream failing: the last good response, marked stale.
    await sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    await sleep(3_100);
    const lastGood = await get(url);
    expect(lastGood.status).toBe(200);
    expect(lastGood.headers.get('x-cache')).toBe('STALE');
    expect(lastGood.headers.get('x-cache-stale')).toBe('1');
    expect(Number(lastGood.headers.get('age'))).toBeGreaterThanOrEqual(3);
    expect((await lastGood.json()).computation).toBe(refreshedBody.computation);

    // Past ttl + staleIfError: the failure is the answer.
    await sleep(2_000);
    await expectProblem(await get(url), 502, 'upstream-error');
  }, 20_000);

  it('invalidates by tag through the protected admin route', async () => {
    const url = `/t/steady/${KNOWN_IDS.product}`;
    await cache.invalidateTags([`product:${KNOWN_IDS.product}`]);
    expect((await get(url)).headers.get('x-cache')).toBe('MISS');
    expect((await get(url)).headers.get('x-cache')).toBe('HIT');
    const invalidate = (body: unknown, headers: Record<string, string> = {}) =>
      postJson(`${app.url}/admin/cache/invalidate`, body, headers);

    await expectProblem(await invalidate({ tags: [`product:${KNOWN_IDS.product}`] }), 401, 'missing-credentials');
    await expectProblem(
      await invalidate({ tags: [`product:${KNOWN_IDS.product}`] }, { 'x-test-admin': 'catalog:read' }),
      403,
      'insufficient-scope',
    );
    expect((await get(url)).headers.get('x-cache')).toBe('HIT');

    const admin = { 'x-test-admin': 'cache:admin' };
    const ok = await invalidate({ tags: [`product:${KNOWN_IDS.product}`] }, admin);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ removed: 1, shared: 'none' });
    expect((await get(url)).headers.get('x-cache')).toBe('MISS');

    const invalid = await expectProblem(await invalidate({}, admin), 400, 'validation-failed');
    expect((invalid.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['keys', 'tags']);
    await expectProblem(await invalidate({ tags: ['bad tag!'] }, admin), 400, 'validation-failed');
    await expectProblem(await invalidate({ tags: ['x'], extra: true }, admin), 400, 'validation-failed');
  });

  it('does not publish the admin route in the OpenAPI document', async () => {
    const doc = await (await get('/docs-json')).json();
    expect(Object.keys(doc.paths)).toContain('/t/steady/{id}');
    expect(Object.keys(doc.paths).some((p) => p.includes('admin'))).toBe(false);
  });

  it('boots refusing a public-scoped cache on a protected route (it would leak one caller to another)', async () => {
    await expect(startCacheApp(LeakyCacheAppModule, CACHE_TEST_APP, sandbox)).rejects.toThrow(
      /scope 'public' on a @Protected\('test-user'\) route/,
    );
  });
});

describe('route cache switched off', () => {
  it('passes every request through when CACHE_ENABLED=false', async () => {
    const sandbox = await startTestSandbox();
    const app = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, { CACHE_ENABLED: 'false' });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${app.url}/t/steady/${KNOWN_IDS.product}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-cache')).toBeNull();
        expect(res.headers.get('etag')).toBeNull();
      }
      expect(await productCalls(sandbox)).toBe(2);
    } finally {
      await app.close();
      await sandbox.close();
    }
  });
});
