import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CacheService, routeCacheKey } from '@bff/cache';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS, type Sandbox } from '../sandbox/src/index.ts';
import { startCacheApp, startTestSandbox, type CacheApp } from './support/cache.js';
import { expectProblem } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

const productCalls = async (sandbox: Sandbox): Promise<number> => (await sandbox.admin.stats('catalog')).byRoute['GET /products/:id'] ?? 0;

/** The key the interceptor uses for the product page (Node's fetch sends `Accept-Language: *`, negotiated to en). */
const pageKey = (id: string, language = 'en') =>
  routeCacheKey({
    namespace: 'web-bff',
    route: '/api/v1/pages/product/:id',
    params: { id },
    query: [],
    vary: [['accept-language', language]],
    principal: undefined,
  });

describe('web-bff product page cache', () => {
  let sandbox: Sandbox;
  let app: CacheApp;
  let cache: CacheService;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await startCacheApp(WebBffModule, WEB_BFF, sandbox, { ...WEB_AUTH_OFFLINE_ENV });
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

  const page = (id: string, headers: Record<string, string> = {}) => fetch(`${app.url}/api/v1/pages/product/${id}`, { headers });

  it('is public, shared and revalidatable: MISS then HIT with one upstream fan-out, 304 on a matching ETag', async () => {
    const first = await page(KNOWN_IDS.product);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=30, stale-if-error=300');
    expect(first.headers.get('vary')).toBe('Accept-Language');
    const body = await first.json();
    expect(body.meta).toEqual({ degraded: [] });

    const second = await page(KNOWN_IDS.product);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual(body);
    expect(await productCalls(sandbox)).toBe(1);
    // One page price, one bulk read for the recommendation cards.
    expect((await sandbox.admin.stats('pricing')).byRoute).toEqual({ 'GET /prices/:productId': 1, 'GET /prices': 1 });

    const notModified = await page(KNOWN_IDS.product, { 'if-none-match': first.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    // The page's content is deterministic: recomputed after an invalidation, it has the same ETag, so a
    // client revalidating after the miss still gets a 304.
    await cache.invalidateTags([`product:${KNOWN_IDS.product}`]);
    const recomputed = await page(KNOWN_IDS.product, { 'if-none-match': first.headers.get('etag')! });
    expect(recomputed.headers.get('x-cache')).toBe('MISS');
    expect(recomputed.status).toBe(304);
    expect(await productCalls(sandbox)).toBe(2);
  });

  it('coalesces 50 concurrent misses of one page into a single upstream fan-out', async () => {
    await sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.productNoReviews}`, latencyMs: 250 }]);
    const responses = await Promise.all(Array.from({ length: 50 }, () => page(KNOWN_IDS.productNoReviews)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    const etags = new Set(responses.map((r) => r.headers.get('etag')));
    expect(etags.size).toBe(1);
    expect(await productCalls(sandbox)).toBe(1);
    // One page price, one bulk read for the recommendation cards.
    expect((await sandbox.admin.stats('pricing')).byRoute).toEqual({ 'GET /prices/:productId': 1, 'GET /prices': 1 });
    expect((await sandbox.admin.stats('reviews')).requests).toBe(2); // rating + first reviews page, once
  });

  it('serves degraded pages without storing them (no stale degradation is cached)', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await page(KNOWN_IDS.productNoPrice);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('MISS');
      expect(res.headers.get('x-degraded-sections')).toBe('price');
      expect(res.headers.get('cache-control')).toBe('public, no-cache');
    }
    expect(await productCalls(sandbox)).toBe(2);
  });

  it('replays the degraded header to requests that joined the computation', async () => {
    await sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.productNoPrice}`, latencyMs: 200 }]);
    const responses = await Promise.all(Array.from({ length: 5 }, () => page(KNOWN_IDS.productNoPrice)));
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.headers.get('x-degraded-sections')).toBe('price');
      expect((await res.json()).meta.degraded).toEqual([{ section: 'price', reason: 'not_found' }]);
    }
    expect(await productCalls(sandbox)).toBe(1);
  });

  it("falls back to the product section's last good value when the catalog fails (stale-if-error per section)", async () => {
    const good = await (await page(KNOWN_IDS.productOutOfStock)).json();
    // Drop the cached page only: the section fallback (tagged like the page) stays.
    expect((await cache.invalidateKey(pageKey(KNOWN_IDS.productOutOfStock))).removed).toBe(1);
    await sandbox.admin.setFaults('catalog', [{ status: 500 }]);

    const res = await page(KNOWN_IDS.productOutOfStock);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-stale-sections')).toBe('product');
    expect(res.headers.get('x-cache')).toBe('MISS');
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
    const body = await res.json();
    expect(body.product).toEqual(good.product);
    expect(body.meta.stale).toEqual([{ section: 'product', reason: 'upstream_error' }]);
    // Not stored: the next request tries the catalog again.
    expect((await page(KNOWN_IDS.productOutOfStock)).headers.get('x-cache')).toBe('MISS');

    // Invalidating the tag forgets the section's last good value too: now the failure is the answer.
    await cache.invalidateTags([`product:${KNOWN_IDS.productOutOfStock}`]);
    await expectProblem(await page(KNOWN_IDS.productOutOfStock), 502, 'upstream-error');
  });

  it('never caches errors', async () => {
    await expectProblem(await page(KNOWN_IDS.productUnknown), 404, 'not-found');
    await expectProblem(await page(KNOWN_IDS.productUnknown), 404, 'not-found');
    expect(await productCalls(sandbox)).toBe(2);
  });
});
