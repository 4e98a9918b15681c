import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';
import { createPlatformApp } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS, MOBILE_BFF_AUDIENCE } from '../sandbox/src/index.ts';
import { nativeAppLogin } from './support/oauth.js';
import { appEnv, expectProblem, isolatedRedisNamespaces, startStack, upstreamEnvFor, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

describe('mobile-bff screens against the real sandbox', () => {
  let stack: Stack;
  /** web-bff on the same sandbox, for the payload budget. */
  let web: NestFastifyApplication;
  let webUrl: string;
  let auth: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack(MobileBffModule, MOBILE_BFF, (sandbox) => ({
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      CACHE_STORE: 'memory',
    }));
    web = await createPlatformApp(WebBffModule, WEB_BFF, {
      env: appEnv({
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        CACHE_ENABLED: 'false',
        ...isolatedRedisNamespaces(),
        ...upstreamEnvFor(stack.sandbox),
        ...WEB_AUTH_OFFLINE_ENV,
      }),
    });
    await web.listen({ port: 0, host: '127.0.0.1' });
    webUrl = `http://127.0.0.1:${(web.getHttpServer().address() as { port: number }).port}`;
    const tokens = await nativeAppLogin(stack.sandbox.idp!, { scope: 'catalog:read' });
    auth = { authorization: `Bearer ${tokens.accessToken}` };
  });
  afterAll(async () => {
    await web?.close();
    await stack?.close();
  });
  /** Products whose screens the tests read: their route cache entries are dropped after each test. */
  const TOUCHED = [KNOWN_IDS.product, KNOWN_IDS.productAlt];
  afterEach(async () => {
    await stack.sandbox.admin.reset();
    // The route cache keys on the negotiated language, so every test's en answers would share entries: start clean.
    await stack.app.get(CacheService).invalidateTags(['home', 'catalog:listing', ...TOUCHED.map((id) => `product:${id}`)]);
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.url}${path}`, { headers: { ...auth, ...headers } });

  describe('GET /api/v1/products/{id}/detail', () => {
    it('answers the compact detail: 2 review excerpts, rating summary, 3 cards, one image base and currency, no description', async () => {
      const res = await get(`/api/v1/products/${KNOWN_IDS.product}/detail`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(Object.keys(body).sort()).toEqual([
        'currency',
        'imageBase',
        'inStock',
        'meta',
        'price',
        'product',
        'rating',
        'recommendations',
        'reviews',
      ]);
      expect(body.imageBase).toBe('https://img.sandbox.local/products/');
      expect(body.currency).toBe('EUR');
      expect(Object.keys(body.product).sort()).toEqual(['brand', 'id', 'images', 'name']);
      expect(body.product.id).toBe(KNOWN_IDS.product);
      // Image references resolve against imageBase to the catalog's URLs.
      expect(body.product.images.map((ref: string) => new URL(ref, body.imageBase).href)).toEqual([
        `https://img.sandbox.local/products/${KNOWN_IDS.product}/1.jpg`,
        `https://img.sandbox.local/products/${KNOWN_IDS.product}/2.jpg`,
      ]);
      expect(Number.isInteger(body.price)).toBe(true);
      expect(body.inStock).toBe(true);
      expect(Object.keys(body.rating).sort()).toEqual(['average', 'count']);
      expect(body.reviews.items).toHaveLength(2);
      expect(Object.keys(body.reviews.items[0]).sort()).toEqual(['author', 'date', 'excerpt', 'rating', 'title']);
      expect(body.reviews.items[0].date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const review of body.reviews.items) expect(review.excerpt.length).toBeLessThanOrEqual(48);
      expect(body.reviews.total).toBe(body.rating.count);
      expect(body.recommendations).toHaveLength(3);
      expect(Object.keys(body.recommendations[0]).sort()).toEqual(['id', 'name', 'price', 'thumbnail']);
      expect(new URL(body.recommendations[0].thumbnail, body.imageBase).href).toBe(
        `https://img.sandbox.local/products/${body.recommendations[0].id}/thumb.jpg`,
      );
      expect(body.meta).toEqual({ degraded: [] });
      // Recommendations: one bulk lookup and one bulk price read, never one call per card; the carousel shows no
      // availability, so inventory is read for the product only.
      expect((await stack.sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /products/:id': 1, 'GET /products': 1 });
      expect((await stack.sandbox.admin.stats('pricing')).requests).toBe(2);
      expect((await stack.sandbox.admin.stats('inventory')).requests).toBe(1);
    });

    it('sends the long description only with ?expand=description; other expansions are a 400', async () => {
      const body = await (await get(`/api/v1/products/${KNOWN_IDS.product}/detail?expand=description`)).json();
      expect(typeof body.product.description).toBe('string');
      expect(body.product.description.length).toBeGreaterThan(0);
      const problem = await expectProblem(
        await get(`/api/v1/products/${KNOWN_IDS.product}/detail?expand=attributes`),
        400,
        'validation-failed',
      );
      expect(JSON.stringify(problem.errors)).toContain('expand must be one of: description');
      await expectProblem(await get(`/api/v1/products/${KNOWN_IDS.product}/detail?unknown=1`), 400, 'validation-failed');
      await expectProblem(await get('/api/v1/products/no%20way/detail'), 400, 'validation-failed');
      await expectProblem(await get(`/api/v1/products/${KNOWN_IDS.productUnknown}/detail`), 404, 'not-found');
    });

    // The budget holds for ordinary products and for the sandbox's edge cases (no reviews, no price, no stock,
    // out of stock), each measured as the bytes both real apps put on the wire.
    const BUDGET_PRODUCTS = [
      KNOWN_IDS.product,
      KNOWN_IDS.productAlt,
      KNOWN_IDS.productOutOfStock,
      KNOWN_IDS.productNoReviews,
      KNOWN_IDS.productNoPrice,
      KNOWN_IDS.productNoStock,
      KNOWN_IDS.lastProduct,
      // Plus a spread over the whole seed (the web page is smallest, and the budget tightest, with few reviews).
      ...Array.from({ length: 20 }, (_, i) => `p-${String(i * 60 + 17).padStart(5, '0')}`),
    ];
    it.each(BUDGET_PRODUCTS)('weighs at most 40 %% of the web product page (%s)', async (id) => {
      const mobile = await get(`/api/v1/products/${id}/detail`);
      const page = await fetch(`${webUrl}/api/v1/pages/product/${id}`);
      expect(mobile.status).toBe(200);
      expect(page.status).toBe(200);
      const mobileBytes = (await mobile.arrayBuffer()).byteLength;
      const webBytes = (await page.arrayBuffer()).byteLength;
      expect(mobileBytes).toBe(Number(mobile.headers.get('content-length')));
      expect(mobileBytes).toBeLessThanOrEqual(webBytes * 0.4);
    });
  });

  describe('GET /api/v1/products/{id}/reviews', () => {
    it("pages the whole reviews behind the detail's excerpts, to the last page", async () => {
      const detail = await (await get(`/api/v1/products/${KNOWN_IDS.product}/detail`)).json();
      const seen: { id: string; body: string; date: string }[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/api/v1/products/${KNOWN_IDS.product}/reviews?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
        const page = await res.json();
        expect(page.total).toBe(detail.reviews.total);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(detail.reviews.total);
      expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
      // The detail's excerpts are the start of the first reviews' whole text.
      detail.reviews.items.forEach((item: { excerpt: string; date: string }, i: number) => {
        expect(seen[i].body.startsWith(item.excerpt.replace(/…$/, ''))).toBe(true);
        expect(seen[i].date).toBe(item.date);
      });
    });

    it('answers 404 for an unknown product and 400 invalid-cursor for a foreign cursor', async () => {
      await expectProblem(await get(`/api/v1/products/${KNOWN_IDS.productUnknown}/reviews`), 404, 'not-found');
      await expectProblem(await get(`/api/v1/products/${KNOWN_IDS.product}/reviews?cursor=bm9wZQ`), 400, 'invalid-cursor');
      await expectProblem(await get(`/api/v1/products/${KNOWN_IDS.product}/reviews?limit=51`), 400, 'validation-failed');
      await expectProblem(await fetch(`${stack.url}/api/v1/products/${KNOWN_IDS.product}/reviews`), 401, 'missing-credentials');
    });
  });

  describe('conditional requests', () => {
    it('answers If-None-Match with 304 and a private Cache-Control', async () => {
      const path = `/api/v1/products/${KNOWN_IDS.product}/detail`;
      const lang = { 'accept-language': 'en' };
      const first = await get(path, lang);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(first.headers.get('cache-control')).toMatch(/^private, max-age=\d+/);
      const again = await get(path, { ...lang, 'if-none-match': etag! });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      const other = await get(path, { ...lang, 'if-none-match': '"other"' });
      expect(other.status).toBe(200);
      // A 304 is still behind the token.
      await expectProblem(await fetch(`${stack.url}${path}`, { headers: { 'if-none-match': etag! } }), 401, 'missing-credentials');
    });
  });

  it('gives the product card an ETag too (304 on a match), private to the app', async () => {
    const path = `/api/v1/products/${KNOWN_IDS.productAlt}`;
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, max-age=5, stale-while-revalidate=30, stale-if-error=300');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect((await get(path, { 'if-none-match': etag! })).status).toBe(304);
  });

  it('requires catalog:read on every screen', async () => {
    const noScope = await nativeAppLogin(stack.sandbox.idp!, { scope: 'orders:read' });
    for (const path of [`/api/v1/products/${KNOWN_IDS.product}/detail`, '/api/v1/home', '/api/v1/listing?q=a']) {
      await expectProblem(await fetch(`${stack.url}${path}`), 401, 'missing-credentials');
      const body = await expectProblem(
        await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${noScope.accessToken}` } }),
        403,
        'insufficient-scope',
      );
      expect(body.requiredScopes).toEqual(['catalog:read']);
    }
  });
  describe('GET /api/v1/home', () => {
    it('answers the category tree and featured cards in one fan-out of bulk calls', async () => {
      const res = await get('/api/v1/home');
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
      const body = await res.json();
      expect(Object.keys(body).sort()).toEqual(['categories', 'featured', 'meta']);
      expect(body.categories.find((c: { id: string }) => c.id === KNOWN_IDS.category)).toMatchObject({
        name: 'Electronics',
        children: expect.arrayContaining([{ id: KNOWN_IDS.leafCategory, name: 'Smartphones', children: [] }]),
      });
      const nodes = body.categories.flatMap((c: { children: unknown[] }) => [c, ...c.children]);
      expect(nodes).toHaveLength(KNOWN_IDS.categoryCount);
      expect(body.featured).toHaveLength(8);
      expect(Object.keys(body.featured[0]).sort()).toEqual(['id', 'inStock', 'name', 'price', 'thumbnail']);
      expect(body.meta).toEqual({ degraded: [] });
      expect((await stack.sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /categories': 1, 'GET /featured': 1 });
      expect((await stack.sandbox.admin.stats('pricing')).requests).toBe(1);
      expect((await stack.sandbox.admin.stats('inventory')).requests).toBe(1);
    });

    it('answers If-None-Match with 304', async () => {
      const lang = { 'accept-language': 'en' };
      const etag = (await get('/api/v1/home', lang)).headers.get('etag');
      const again = await get('/api/v1/home', { ...lang, 'if-none-match': etag! });
      expect(again.status).toBe(304);
    });
  });

  describe('GET /api/v1/listing', () => {
    const listing = (query: string, headers: Record<string, string> = {}) => get(`/api/v1/listing?${query}`, headers);

    it('pages through a category as cards with cursors, two bulk calls per page', async () => {
      const first = await listing(`category=${KNOWN_IDS.leafCategory}&limit=5`);
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toMatch(/^"[^"]+"$/);
      const body = await first.json();
      expect(body.category).toMatchObject({ id: KNOWN_IDS.leafCategory, name: 'Smartphones', parentId: KNOWN_IDS.category });
      expect(body.items).toHaveLength(5);
      expect(Object.keys(body.items[0]).sort()).toEqual(['id', 'inStock', 'name', 'price', 'thumbnail']);
      expect(body.total).toBeGreaterThan(5);
      expect(typeof body.nextCursor).toBe('string');
      expect(body.meta).toEqual({ degraded: [] });
      expect((await stack.sandbox.admin.stats('pricing')).requests).toBe(1);
      expect((await stack.sandbox.admin.stats('inventory')).requests).toBe(1);
      const next = await (await listing(`category=${KNOWN_IDS.leafCategory}&limit=5&cursor=${body.nextCursor}`)).json();
      const ids = new Set(body.items.map((i: { id: string }) => i.id));
      expect(next.items.some((i: { id: string }) => ids.has(i.id))).toBe(false);
    });

    it('searches by name, defaults to 20 items', async () => {
      const body = await (await listing('q=a')).json();
      expect(body.category).toBeNull();
      expect(body.items.length).toBeLessThanOrEqual(20);
      expect(body.items.length).toBeGreaterThan(0);
    });

    it('rejects bad parameters with documented problems', async () => {
      for (const query of ['limit=0', 'limit=49', 'limit=x', 'q=%20', 'category=no%20way', 'cursor=%21%21', 'unknown=1']) {
        await expectProblem(await listing(query), 400, 'validation-failed');
      }
      await expectProblem(await listing('cursor=Zm9vYmFy'), 400, 'invalid-cursor');
      await expectProblem(await listing(`category=${KNOWN_IDS.categoryUnknown}`), 404, 'not-found');
    });

    it('answers If-None-Match with 304', async () => {
      const lang = { 'accept-language': 'en' };
      const etag = (await listing(`category=${KNOWN_IDS.category}`, lang)).headers.get('etag');
      const again = await listing(`category=${KNOWN_IDS.category}`, { ...lang, 'if-none-match': etag! });
      expect(again.status).toBe(304);
    });
  });

  // Last: the faults open the reviews breaker, which would degrade the sections of the tests after it.
  describe('degraded sections', () => {
    it('reports degraded optional sections like the web page', async () => {
      await stack.sandbox.admin.setFaults('reviews', [{ status: 503 }]);
      await stack.sandbox.admin.setFaults('recommendations', [{ status: 503 }]);
      const res = await get(`/api/v1/products/${KNOWN_IDS.product}/detail`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.rating).toBeNull();
      expect(body.reviews).toBeNull();
      expect(body.recommendations).toBeNull();
      expect(body.meta.degraded.map((d: { section: string }) => d.section).sort()).toEqual(['rating', 'recommendations', 'reviews']);
      expect(res.headers.get('x-degraded-sections')).toBeTruthy();
      expect(res.headers.get('cache-control')).toBe('private, no-cache');
    });

    it('degrades card prices on home and listing, never failing them', async () => {
      await stack.sandbox.admin.setFaults('pricing', [{ status: 503 }]);
      const home = await get('/api/v1/home');
      expect(home.status).toBe(200);
      const body = await home.json();
      expect(body.featured.every((card: { price: unknown }) => card.price === null)).toBe(true);
      expect(body.meta.degraded.map((d: { section: string }) => d.section)).toEqual(['featured-price']);
      const listing = await get(`/api/v1/listing?category=${KNOWN_IDS.category}`);
      expect(listing.status).toBe(200);
      expect(listing.headers.get('x-degraded-sections')).toBe('items-price');
    });
  });
});
