import { PinoLogger } from 'nestjs-pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { CacheService } from '@bff/cache';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS, type Sandbox } from '../sandbox/src/index.ts';
import { sleep, startCacheApp, startTestSandbox, type CacheApp } from './support/cache.js';
import { expectProblem } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/**
 * Fresh hits of public @Cached routes are answered by libs/cache's route shortcut (a Fastify
 * preHandler step) instead of the Nest interceptor chain. These tests pin down that a client cannot
 * tell the two apart: same status, same bytes, same headers (request id, security headers, CORS,
 * caching headers), same access log line, same guards; and that the shortcut never answers a
 * request Nest would refuse.
 */
const ORIGIN = 'https://shop.example.com';
const PAGE_ROUTE = '/api/v1/pages/product/:id';

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

describe('web-bff product page: the fast path of fresh public hits', () => {
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

  it('answers a fresh hit with exactly the status, headers and bytes of the interceptor path', async () => {
    const id = KNOWN_IDS.product;
    const miss = await page(id);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const computed = Buffer.from(await miss.arrayBuffer());
    // One clock for both answers (2 s after the entry was stored, still fresh), so Age is the same.
    const now = Date.now();
    cache.clock = () => now + 2_000;
    const resolve = vi.spyOn(cache, 'resolve');

    const fast = await page(id, { 'x-request-id': 'fast-hit-1' });
    expect(resolve).not.toHaveBeenCalled(); // answered before the interceptor
    // The same request again, with the entry hidden from the shortcut: the interceptor answers it.
    vi.spyOn(cache, 'peekFresh').mockReturnValueOnce(undefined);
    const slow = await page(id, { 'x-request-id': 'slow-hit-1' });
    expect(resolve).toHaveBeenCalledTimes(1);

    expect(fast.status).toBe(200);
    expect(slow.status).toBe(200);
    const fastBody = Buffer.from(await fast.arrayBuffer());
    expect(fastBody.equals(Buffer.from(await slow.arrayBuffer()))).toBe(true);
    expect(fastBody.equals(computed)).toBe(true);
    expect(comparableHeaders(fast, 'fast-hit-1')).toEqual(comparableHeaders(slow, 'slow-hit-1'));
    // ...and those headers are the complete set.
    expect(fast.headers.get('x-cache')).toBe('HIT');
    expect(fast.headers.get('age')).toBe('2');
    expect(fast.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(fast.headers.get('cache-control')).toBe('public, max-age=5, stale-while-revalidate=30, stale-if-error=300');
    expect(fast.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(fast.headers.get('vary')).toMatch(/Origin/);
    expect(fast.headers.get('vary')).toMatch(/Accept-Language/);
    expect(fast.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(fast.headers.get('access-control-expose-headers')).toMatch(/x-cache/);
    expect(fast.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(fast.headers.get('strict-transport-security')).toMatch(/^max-age=/);
    expect(fast.headers.get('x-content-type-options')).toBe('nosniff');
    expect(fast.headers.get('cross-origin-resource-policy')).toBe('same-site');
    expect(fast.headers.get('ratelimit-policy')).toMatch(/^"default";q=\d+;w=\d+$/);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(1);
  });

  it('answers If-None-Match with the same empty 304 on both paths', async () => {
    const id = KNOWN_IDS.productOutOfStock;
    const first = await page(id);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const now = Date.now();
    cache.clock = () => now + 1_000;
    const resolve = vi.spyOn(cache, 'resolve');

    const fast = await page(id, { 'x-request-id': 'fast-304', 'if-none-match': etag });
    expect(resolve).not.toHaveBeenCalled();
    vi.spyOn(cache, 'peekFresh').mockReturnValueOnce(undefined);
    const slow = await page(id, { 'x-request-id': 'slow-304', 'if-none-match': `"other", W/${etag}` });
    expect(resolve).toHaveBeenCalledTimes(1);

    for (const res of [fast, slow]) {
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('content-type')).toBeNull();
    }
    expect(comparableHeaders(fast, 'fast-304')).toEqual(comparableHeaders(slow, 'slow-304'));
    expect(fast.headers.get('etag')).toBe(etag);
  });

  it('writes the same access log line for a fast-path hit (route pattern, status, request id)', async () => {
    const id = KNOWN_IDS.productNoReviews;
    await (await page(id)).arrayBuffer();
    // The app logs at 'silent' in tests: turn the access log level on for this test and capture the lines.
    const lines: Record<string, unknown>[] = [];
    const logger = PinoLogger.root;
    vi.spyOn(logger, 'isLevelEnabled').mockImplementation((level) => level === 'info');
    vi.spyOn(logger, 'info').mockImplementation((line: unknown) => {
      if (typeof line === 'object' && line !== null) lines.push(line as Record<string, unknown>);
    });
    const resolve = vi.spyOn(cache, 'resolve');

    const hit = await page(id, { 'x-request-id': 'logged-hit-1' });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    await hit.arrayBuffer();
    const notModified = await page(id, { 'x-request-id': 'logged-304-1', 'if-none-match': hit.headers.get('etag')! });
    expect(notModified.status).toBe(304);
    expect(resolve).not.toHaveBeenCalled();
    for (let i = 0; i < 50 && lines.length < 2; i++) await sleep(10);

    expect(lines.find((l) => l.requestId === 'logged-hit-1')).toMatchObject({
      method: 'GET',
      route: PAGE_ROUTE,
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(lines.find((l) => l.requestId === 'logged-304-1')).toMatchObject({ method: 'GET', route: PAGE_ROUTE, status: 304 });
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

  it('answers each request from its own entry: the vary headers, the path and the declared query decide, as on the interceptor path', async () => {
    const id = KNOWN_IDS.productAlt;
    await cache.invalidateTags([`product:${id}`, `product:${KNOWN_IDS.product}`]);
    const status = async (res: Promise<Response>) => {
      const answer = await res;
      await answer.arrayBuffer();
      return answer.headers.get('x-cache');
    };
    const resolve = vi.spyOn(cache, 'resolve');
    expect(await status(page(id, { 'accept-language': 'en' }))).toBe('MISS');
    expect(await status(page(id, { 'accept-language': 'en' }))).toBe('HIT');
    // Another language is another entry, although the shortcut has seen this URL before.
    expect(await status(page(id, { 'accept-language': 'de' }))).toBe('MISS');
    expect(await status(page(id, { 'accept-language': 'de' }))).toBe('HIT');
    // Spelled differently, the same language: the same (normalised) key, a hit.
    expect(await status(page(id, { 'accept-language': 'EN' }))).toBe('HIT');
    // An undeclared query parameter is ignored by this route's key; another product is another entry.
    expect(await status(page(`${id}?utm_source=mail`, { 'accept-language': 'en' }))).toBe('HIT');
    // A signature too long to be remembered: its key is computed on each request, with the same answer.
    const long = `${id}?utm_source=${'x'.repeat(600)}`;
    expect(await status(page(long, { 'accept-language': 'en' }))).toBe('HIT');
    expect(await status(page(long, { 'accept-language': 'en' }))).toBe('HIT');
    expect(await status(page(KNOWN_IDS.product, { 'accept-language': 'en' }))).toBe('MISS');
    expect(resolve).toHaveBeenCalledTimes(3); // the three misses; every hit was answered by the shortcut
  });

  it('leaves everything but fresh hits to Nest: HEAD, stale entries and misses behave as before', async () => {
    const id = KNOWN_IDS.productNoReviews;
    await cache.invalidateTags([`product:${id}`]);
    const miss = await page(id);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    await miss.arrayBuffer();
    const resolve = vi.spyOn(cache, 'resolve');
    const head = await page(id, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(resolve).toHaveBeenCalledTimes(1); // HEAD goes through the interceptor
    const now = Date.now();
    cache.clock = () => now + 6_000; // past the 5 s ttl, within stale-while-revalidate
    const stale = await page(id);
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(stale.headers.get('x-cache-stale')).toBe('1');
    expect(resolve).toHaveBeenCalledTimes(2);
    await stale.arrayBuffer();
  });
});

describe('web-bff product page: the fast path runs the route guards', () => {
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
