import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { CacheService } from '@bff/cache';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS, type Sandbox } from '../sandbox/src/index.ts';
import { startCacheApp, startTestSandbox, type CacheApp } from './support/cache.js';
import { expectProblem } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/**
 * A public cache hit answers what the computed response answered: the same bytes and the same headers
 * (request id, security headers, CORS, caching headers), and it never skips what Nest runs before the
 * handler: validation and the rate limit apply to hits exactly as to misses.
 */
const ORIGIN = 'https://shop.example.com';

/** Every header except the ones that legitimately differ between two responses (the clock, the request id). */
function comparableHeaders(res: Response, requestId: string): Record<string, string> {
  expect(res.headers.get('x-request-id')).toBe(requestId);
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name === 'date' || name === 'x-request-id') return;
    // The rate limiter's remaining budget goes down by one per request: compare its shape.
    out[name] = name === 'ratelimit' ? value.replace(/;r=\d+;/, ';r=N;') : value;
  });
  return out;
}

describe('web-bff product page: public cache hits', () => {
  let sandbox: Sandbox;
  let app: CacheApp;
  let cache: CacheService;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await startCacheApp(WebBffModule, WEB_BFF, sandbox, { ...WEB_AUTH_OFFLINE_ENV, CORS_ORIGINS: ORIGIN });
    cache = app.app.get(CacheService);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    cache.clock = Date.now;
    await cache.settled();
    await sandbox.admin.reset();
  });

  const page = (id: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${app.url}/api/v1/pages/product/${id}`, { method, headers: { origin: ORIGIN, 'accept-language': 'en', ...headers } });

  it('answers a hit with the bytes and headers of the computed response, plus its age', async () => {
    const id = KNOWN_IDS.product;
    const miss = await page(id, { 'x-request-id': 'miss-1' });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const computed = Buffer.from(await miss.arrayBuffer());
    const now = Date.now();
    cache.clock = () => now + 2_000;

    const hit = await page(id, { 'x-request-id': 'hit-1' });
    expect(hit.status).toBe(200);
    expect(Buffer.from(await hit.arrayBuffer()).equals(computed)).toBe(true);
    const withoutCacheState = (res: Response, requestId: string) => {
      const headers = comparableHeaders(res, requestId);
      delete headers['x-cache'];
      delete headers.age;
      return headers;
    };
    expect(withoutCacheState(hit, 'hit-1')).toEqual(withoutCacheState(miss, 'miss-1'));
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('age')).toBe('2');
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=30, stale-if-error=300');
    expect(hit.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(hit.headers.get('vary')).toMatch(/Origin/);
    expect(hit.headers.get('vary')).toMatch(/Accept-Language/);
    expect(hit.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(hit.headers.get('access-control-expose-headers')).toMatch(/x-cache/);
    expect(hit.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(hit.headers.get('strict-transport-security')).toMatch(/^max-age=/);
    expect(hit.headers.get('x-content-type-options')).toBe('nosniff');
    expect(hit.headers.get('cross-origin-resource-policy')).toBe('same-site');
    expect(hit.headers.get('ratelimit-policy')).toMatch(/^"default";q=\d+;w=\d+$/);
  });

  it('answers If-None-Match on a hit with an empty 304 carrying the same headers', async () => {
    const id = KNOWN_IDS.productOutOfStock;
    const first = await page(id, { 'x-request-id': 'first-304' });
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const res = await page(id, { 'x-request-id': 'hit-304', 'if-none-match': `"other", W/${etag}` });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.headers.get('x-cache')).toBe('HIT');
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('x-request-id')).toBe('hit-304');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('never answers an invalid request from the cache: validation failures stay 400, however warm the cache', async () => {
    const warm = await page(KNOWN_IDS.product);
    expect(warm.status).toBe(200);
    await warm.arrayBuffer();
    expect((await page(KNOWN_IDS.product)).headers.get('x-cache')).toBe('HIT');
    const invalid = [`${KNOWN_IDS.product} `, `${KNOWN_IDS.product}!`, 'bad id', '-p-00001', 'x'.repeat(65)];
    for (const id of invalid) {
      for (let i = 0; i < 2; i++) {
        const res = await page(encodeURIComponent(id));
        const body = await expectProblem(res, 400, 'validation-failed');
        expect(body.errors).toEqual([expect.objectContaining({ field: 'id', in: 'path' })]);
        expect(res.headers.get('x-cache')).toBeNull();
        expect(res.headers.get('etag')).toBeNull();
      }
    }
  });
});

describe('web-bff product page: guards run on cache hits', () => {
  it('rate-limits cached hits exactly like computed answers', async () => {
    const sandbox = await startTestSandbox();
    const app = await startCacheApp(WebBffModule, WEB_BFF, sandbox, {
      ...WEB_AUTH_OFFLINE_ENV,
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    try {
      const url = `${app.url}/api/v1/pages/product/${KNOWN_IDS.product}`;
      const statuses: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        statuses.push(res.headers.get('x-cache'));
        expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"default";r=${2 - i};t=\\d+$`));
        await res.arrayBuffer();
      }
      expect(statuses).toEqual(['MISS', 'HIT', 'HIT']);
      const limited = await fetch(url);
      await expectProblem(limited, 429, 'rate-limited');
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(limited.headers.get('x-cache')).toBeNull();
    } finally {
      await app.close();
      await sandbox.close();
    }
  });
});
