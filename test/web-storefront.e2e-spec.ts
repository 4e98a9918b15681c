import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS, type Product, type ServiceName } from '../sandbox/src/index.ts';
import { expectProblem, startStack, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/**
 * The SPA's storefront screens (home, listing, product page and its reviews) against the real sandbox,
 * with the route cache on (memory): shapes, paging, input errors, degraded enrichment, upstream call
 * counts (bulk reads, never one call per item) and the caching headers each screen declares.
 */
interface Card {
  id: string;
  name: string;
  thumbnail: string;
  price: { currency: string; amount: number; listAmount: number; discountPct: number } | null;
  inStock: boolean | null;
}

const CARD_KEYS = ['id', 'inStock', 'name', 'price', 'thumbnail'];
const ENRICHMENT: ServiceName[] = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations'];

describe('web-bff storefront screens', () => {
  let stack: Stack;
  let cache: CacheService;
  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, { ...WEB_AUTH_OFFLINE_ENV });
    cache = stack.app.get(CacheService);
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    // Each test starts cold: no stored page, no section fallback, no fault, zeroed upstream counters.
    await cache.settled();
    await cache.invalidateTags(['home', 'home:categories', 'catalog:listing', `product:${KNOWN_IDS.product}`]);
    await stack.sandbox.admin.reset();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.url}${path}`, { headers });

  /** Requests each service received since the last reset, by route (services that got none are left out). */
  async function upstreamCalls(): Promise<Record<string, Record<string, number>>> {
    const calls: Record<string, Record<string, number>> = {};
    for (const service of ENRICHMENT) {
      const { byRoute } = await stack.sandbox.admin.stats(service);
      if (Object.keys(byRoute).length) calls[service] = byRoute;
    }
    return calls;
  }

  async function raw<T>(service: ServiceName, path: string): Promise<T> {
    const res = await fetch(`${stack.sandbox.urls[service]}${path}`);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  function expectCard(card: Card): void {
    expect(Object.keys(card).sort()).toEqual(CARD_KEYS);
    expect(card.id).toMatch(/^p-\d{5}$/);
    expect(card.thumbnail).toMatch(/^https:\/\//);
  }

  describe('home page', () => {
    it('answers the category tree and twelve featured cards in one fan-out of bulk calls, shared and cached', async () => {
      const res = await get('/api/v1/pages/home');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('MISS');
      expect(res.headers.get('cache-control')).toBe('public, max-age=30, stale-while-revalidate=60, stale-if-error=600');
      expect(res.headers.get('vary')).toBe('Accept-Language');
      expect(res.headers.get('x-degraded-sections')).toBeNull();
      const body = await res.json();

      expect(body.categories).toHaveLength(6);
      expect(body.categories.find((c: { id: string }) => c.id === KNOWN_IDS.category)).toMatchObject({
        name: 'Electronics',
        children: expect.arrayContaining([{ id: KNOWN_IDS.leafCategory, name: 'Smartphones', children: [] }]),
      });
      const nodes = body.categories.flatMap((c: { children: unknown[] }) => [c, ...c.children]);
      expect(nodes).toHaveLength(KNOWN_IDS.categoryCount);

      const featured = await raw<{ items: Product[] }>('catalog', '/featured?limit=12');
      expect(body.featured.map((card: Card) => card.id)).toEqual(featured.items.map((p) => p.id));
      for (const card of body.featured) expectCard(card);
      expect(body.featured[0]).toMatchObject({ name: featured.items[0]?.name, thumbnail: featured.items[0]?.thumbnailUrl });
      expect(body.meta).toEqual({ degraded: [] });

      await stack.sandbox.admin.resetStats();
      await get('/api/v1/pages/home');
      await stack.sandbox.admin.resetStats();
      await cache.invalidateTags(['home']);
      await get('/api/v1/pages/home');
      // Twelve cards, four calls: categories and featured concurrently, then one bulk price and one bulk stock read.
      expect(await upstreamCalls()).toEqual({
        catalog: { 'GET /categories': 1, 'GET /featured': 1 },
        pricing: { 'GET /prices': 1 },
        inventory: { 'GET /stock': 1 },
      });

      await stack.sandbox.admin.resetStats();
      const hit = await get('/api/v1/pages/home');
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(await hit.json()).toEqual(body);
      expect(await upstreamCalls()).toEqual({});
    });

    // Enrichment faults are latencies: a section abandoned at its budget is not the upstream's fault, so the
    // circuit breakers (per upstream, shared by the tests of this app) stay closed for the next test.
    it('degrades the featured prices to null when pricing is too slow, and does not store the degraded page', async () => {
      await stack.sandbox.admin.setFaults('pricing', [{ latencyMs: 1_500 }]);
      const res = await get('/api/v1/pages/home');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-degraded-sections')).toBe('featured-price');
      const body = await res.json();
      expect(body.meta.degraded).toEqual([{ section: 'featured-price', reason: 'timeout' }]);
      expect(body.featured).toHaveLength(12);
      expect(body.featured.every((card: Card) => card.price === null && typeof card.inStock === 'boolean')).toBe(true);
      expect((await get('/api/v1/pages/home')).headers.get('x-cache')).toBe('MISS');
    });

    it('renders without featured products when the catalog cannot list them (optional section)', async () => {
      await stack.sandbox.admin.setFaults('catalog', [{ path: '/featured', status: 500 }]);
      const res = await get('/api/v1/pages/home');
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.featured).toBeNull();
      expect(body.categories).toHaveLength(6);
      expect(body.meta.degraded).toEqual([{ section: 'featured', reason: 'upstream_error' }]);
      expect(res.headers.get('x-degraded-sections')).toBe('featured');
    });

    it('needs the category tree: its failure is the answer, unless its last good value can be served stale', async () => {
      await stack.sandbox.admin.setFaults('catalog', [{ path: '/categories', status: 500 }]);
      const failed = await expectProblem(await get('/api/v1/pages/home'), 502, 'upstream-error');
      expect(JSON.stringify(failed)).not.toContain('categories');

      await stack.sandbox.admin.reset();
      expect((await get('/api/v1/pages/home')).status).toBe(200);
      await cache.invalidateTags(['home']);
      await stack.sandbox.admin.setFaults('catalog', [{ path: '/categories', status: 500 }]);
      const stale = await get('/api/v1/pages/home');
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-stale-sections')).toBe('categories');
      const body = await stale.json();
      expect(body.categories).toHaveLength(6);
      expect(body.meta.stale).toEqual([{ section: 'categories', reason: 'upstream_error' }]);
    });
  });

  describe('listing page', () => {
    const listing = (query: string, headers: Record<string, string> = {}) => get(`/api/v1/pages/listing?${query}`, headers);

    it('searches by name: cards for one catalog page, enriched with one bulk price and one bulk stock call', async () => {
      const word = (await raw<Product>('catalog', `/products/${KNOWN_IDS.product}`)).name.split(' ')[0].toLowerCase();
      const expected = await raw<{ items: Product[]; total: number; nextCursor: string | null }>(
        'catalog',
        `/products?q=${encodeURIComponent(word)}&limit=24`,
      );
      await stack.sandbox.admin.resetStats();

      const res = await listing(`q=${encodeURIComponent(word)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=10, stale-while-revalidate=30, stale-if-error=120');
      expect(res.headers.get('x-cache')).toBe('MISS');
      const body = await res.json();
      expect(body.category).toBeNull();
      expect(body.total).toBe(expected.total);
      expect(body.nextCursor).toBe(expected.nextCursor);
      expect(body.items.map((card: Card) => card.id)).toEqual(expected.items.map((p) => p.id));
      expect(body.items.length).toBeGreaterThan(0);
      for (const card of body.items) {
        expectCard(card);
        expect(card.name.toLowerCase()).toContain(word);
      }
      expect(body.meta).toEqual({ degraded: [] });
      expect(await upstreamCalls()).toEqual({
        catalog: { 'GET /products': 1 },
        pricing: { 'GET /prices': 1 },
        inventory: { 'GET /stock': 1 },
      });

      const hit = await listing(`q=${encodeURIComponent(word)}`);
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect((await listing(`q=${encodeURIComponent(word)}&limit=5`)).headers.get('x-cache')).toBe('MISS');
    });

    it('browses a category page by page with the cursor, the whole page in three upstream calls whatever its size', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let total = 0;
      for (let pageNo = 0; pageNo < 3; pageNo++) {
        await stack.sandbox.admin.resetStats();
        const res = await listing(`category=${KNOWN_IDS.category}&limit=48${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const body = await res.json();
        expect(body.category).toEqual({ id: KNOWN_IDS.category, name: 'Electronics', parentId: null });
        expect(body.items).toHaveLength(48);
        seen.push(...body.items.map((card: Card) => card.id));
        total = body.total;
        cursor = body.nextCursor;
        expect(cursor).toEqual(expect.any(String));
        expect(await upstreamCalls()).toEqual({
          catalog: { 'GET /products': 1, 'GET /categories/:id': 1 },
          pricing: { 'GET /prices': 1 },
          inventory: { 'GET /stock': 1 },
        });
      }
      expect(new Set(seen).size).toBe(144);
      const all = await raw<{ items: Product[]; total: number }>('catalog', `/products?category=${KNOWN_IDS.category}&limit=100`);
      expect(total).toBe(all.total);
      expect(seen.slice(0, 100)).toEqual(all.items.map((p) => p.id));
    });

    it('ends with a null cursor on the last page', async () => {
      const first = await (await listing(`category=${KNOWN_IDS.leafCategory}&limit=48`)).json();
      let body = first;
      for (let guard = 0; body.nextCursor !== null && guard < 20; guard++) {
        body = await (await listing(`category=${KNOWN_IDS.leafCategory}&limit=48&cursor=${body.nextCursor}`)).json();
      }
      expect(body.nextCursor).toBeNull();
      expect(body.items.length).toBeLessThanOrEqual(48);
      expect(body.total).toBe(first.total);
    });

    it('rejects invalid input with 400 problems before any upstream call', async () => {
      await stack.sandbox.admin.resetStats();
      for (const query of ['limit=0', 'limit=49', 'limit=ten', 'cursor=not%20a%20cursor', 'q=%20%20', 'category=bad%20id', 'sort=price']) {
        const body = await expectProblem(await listing(query), 400, 'validation-failed');
        expect(body.errors, query).toEqual([expect.objectContaining({ in: 'query' })]);
      }
      expect(await upstreamCalls()).toEqual({});
    });

    it('answers a cursor the catalog did not issue with 400 invalid-cursor, and an unknown category with 404', async () => {
      const body = await expectProblem(await listing('cursor=Zm9vYmFy'), 400, 'invalid-cursor');
      expect(body.detail).toContain('restart from the first page');
      await expectProblem(await listing(`category=${KNOWN_IDS.categoryUnknown}`), 404, 'not-found');
    });

    it('degrades stock to null on every item when inventory fails, and price when pricing times out', async () => {
      await stack.sandbox.admin.setFaults('inventory', [{ status: 500 }]);
      await stack.sandbox.admin.setFaults('pricing', [{ latencyMs: 1_500 }]);
      const res = await listing(`category=${KNOWN_IDS.leafCategory}&limit=10`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.items).toHaveLength(10);
      expect(body.items.every((card: Card) => card.price === null && card.inStock === null)).toBe(true);
      expect(body.meta.degraded).toEqual(
        expect.arrayContaining([
          { section: 'items-stock', reason: 'upstream_error' },
          { section: 'items-price', reason: 'timeout' },
        ]),
      );
      expect(res.headers.get('x-degraded-sections')?.split(',').sort()).toEqual(['items-price', 'items-stock']);
    });
  });

  describe('product page and reviews', () => {
    it('shows the recommendations as cards from one lookup, one bulk price and one bulk stock call', async () => {
      const res = await get(`/api/v1/pages/product/${KNOWN_IDS.product}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.recommendations.length).toBeGreaterThan(0);
      for (const card of body.recommendations) expectCard(card);
      expect(body.recommendations.map((card: Card) => card.id)).not.toContain(KNOWN_IDS.product);
      expect(body.meta).toEqual({ degraded: [] });
      const calls = await upstreamCalls();
      expect(calls.catalog).toEqual({ 'GET /products/:id': 1, 'GET /products': 1 });
      expect(calls.pricing).toEqual({ 'GET /prices/:productId': 1, 'GET /prices': 1 });
      expect(calls.inventory).toEqual({ 'GET /stock/:productId': 1, 'GET /stock': 1 });
      expect(calls.recommendations).toEqual({ 'GET /recommendations': 1 });
    });

    it('degrades the recommendation prices with the page price when pricing is too slow', async () => {
      await stack.sandbox.admin.setFaults('pricing', [{ latencyMs: 1_500 }]);
      const res = await get(`/api/v1/pages/product/${KNOWN_IDS.product}`);
      const body = await res.json();
      expect(body.price).toBeNull();
      expect(body.recommendations.every((card: Card) => card.price === null)).toBe(true);
      expect(body.meta.degraded.map((entry: { section: string }) => entry.section).sort()).toEqual(['price', 'recommendations-price']);
    });

    const reviews = (id: string, query = '') => get(`/api/v1/products/${id}/reviews${query}`);

    it('pages through every review with the cursor, newest first, cached per cursor', async () => {
      const rating = await raw<{ count: number }>('reviews', `/products/${KNOWN_IDS.product}/rating`);
      const first = await reviews(KNOWN_IDS.product, '?limit=4');
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('public, max-age=30, stale-while-revalidate=60, stale-if-error=300');
      expect(first.headers.get('x-cache')).toBe('MISS');
      let body = await first.json();
      expect(body.total).toBe(rating.count);
      expect(Object.keys(body.items[0]).sort()).toEqual(['author', 'body', 'createdAt', 'id', 'rating', 'title']);
      const ids: string[] = body.items.map((r: { id: string }) => r.id);
      while (body.nextCursor !== null) {
        const next = await reviews(KNOWN_IDS.product, `?cursor=${body.nextCursor}`);
        expect(next.status).toBe(200);
        body = await next.json();
        expect(body.items.length).toBeLessThanOrEqual(4);
        ids.push(...body.items.map((r: { id: string }) => r.id));
      }
      expect(ids).toHaveLength(rating.count);
      expect(new Set(ids).size).toBe(rating.count);
      expect((await reviews(KNOWN_IDS.product, '?limit=4')).headers.get('x-cache')).toBe('HIT');
    });

    it('answers an empty page for a product without reviews and 404 for an unknown product', async () => {
      expect(await (await reviews(KNOWN_IDS.productNoReviews)).json()).toEqual({ items: [], total: 0, nextCursor: null });
      await expectProblem(await reviews(KNOWN_IDS.productUnknown), 404, 'not-found');
    });

    it('rejects foreign cursors, a limit other than the cursor’s and out-of-range limits with 400', async () => {
      const { nextCursor } = await (await reviews(KNOWN_IDS.product, '?limit=2')).json();
      expect(nextCursor).toEqual(expect.any(String));
      await expectProblem(await reviews(KNOWN_IDS.product, `?cursor=${nextCursor}&limit=3`), 400, 'invalid-cursor');
      expect((await reviews(KNOWN_IDS.product, `?cursor=${nextCursor}&limit=2`)).status).toBe(200);
      await expectProblem(await reviews(KNOWN_IDS.product, '?cursor=Zm9vYmFy'), 400, 'invalid-cursor');
      await expectProblem(await reviews(KNOWN_IDS.product, '?limit=51'), 400, 'validation-failed');
      await expectProblem(await reviews(KNOWN_IDS.product, '?page=2'), 400, 'validation-failed');
    });
  });
});
