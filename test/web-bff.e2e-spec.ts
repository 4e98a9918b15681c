import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS } from '../sandbox/src/index.ts';
import { expectProblem, postJson, startStack, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/** Every state-changing call of a web-bff client carries the anti-CSRF header (see docs/auth.md). */
const CSRF = { 'x-csrf': '1' };

describe('web-bff against the real sandbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Aggregation behaviour without the cache in front (every request reaches the upstreams); the cached
    // product page is covered by test/cache-web.e2e-spec.ts.
    stack = await startStack(WebBffModule, WEB_BFF, {
      BODY_LIMIT_BYTES: '2048',
      CORS_ORIGINS: 'https://shop.example.com',
      CACHE_ENABLED: 'false',
      ...WEB_AUTH_OFFLINE_ENV,
    });
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const page = (id: string, init?: RequestInit) => fetch(`${stack.url}/api/v1/pages/product/${id}`, init);

  it('aggregates the product page from five services', async () => {
    const res = await page(KNOWN_IDS.product);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-degraded-sections')).toBeNull();
    const body = await res.json();
    expect(body.product).toMatchObject({ id: KNOWN_IDS.product, name: expect.any(String), images: expect.any(Array) });
    expect(body.price).toMatchObject({ currency: 'EUR', amount: expect.any(Number) });
    expect(body.availability).toMatchObject({ inStock: true });
    expect(body.rating.count).toBeGreaterThan(0);
    expect(body.reviews.items.length).toBeGreaterThan(0);
    expect(Array.isArray(body.recommendations)).toBe(true);
    expect(body.meta).toEqual({ degraded: [] });
    // One call per section, made concurrently (the sandbox counts them); the recommendation cards add one bulk
    // lookup (and one bulk price and stock read), never one call per recommended product.
    expect((await stack.sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /products/:id': 1, 'GET /products': 1 });
    expect(body.recommendations[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      thumbnail: expect.any(String),
      price: expect.anything(),
      inStock: expect.any(Boolean),
    });
    expect((await stack.sandbox.admin.stats('reviews')).requests).toBe(2);
  });

  it('degrades optional sections: a product without a price still renders', async () => {
    const res = await page(KNOWN_IDS.productNoPrice);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.price).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'price', reason: 'not_found' }]);
    expect(res.headers.get('x-degraded-sections')).toBe('price');
  });

  it('answers 404 problem+json when the page subject does not exist', async () => {
    const body = await expectProblem(await page(KNOWN_IDS.productUnknown), 404, 'not-found');
    expect(body.instance).toBe(`/api/v1/pages/product/${KNOWN_IDS.productUnknown}`);
  });

  it('rejects a malformed id with a validation problem naming the field', async () => {
    const body = await expectProblem(await page('bad%20id!'), 400, 'validation-failed');
    expect(body.errors).toEqual([{ field: 'id', in: 'path', constraints: { matches: expect.any(String) } }]);
  });

  it('answers unknown routes with a 404 problem', async () => {
    await expectProblem(await fetch(`${stack.url}/api/v1/nope`), 404, 'route-not-found');
  });

  it('looks up live availability for a list of ids', async () => {
    const res = await postJson(
      `${stack.url}/api/v1/products/availability`,
      { ids: [KNOWN_IDS.product, KNOWN_IDS.productOutOfStock] },
      CSRF,
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items).toHaveLength(2);
    expect(body.items[1]).toMatchObject({ id: KNOWN_IDS.productOutOfStock, availability: { inStock: false } });
  });

  it('lists every invalid body field', async () => {
    const res = await postJson(`${stack.url}/api/v1/products/availability`, { ids: [], extra: 1 }, CSRF);
    const body = await expectProblem(res, 400, 'validation-failed');
    const fields = (body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['extra', 'ids']);
  });

  it('answers malformed JSON with 400', async () => {
    await expectProblem(await postJson(`${stack.url}/api/v1/products/availability`, '{"ids": [', CSRF), 400, 'malformed-json');
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await fetch(`${stack.url}/api/v1/products/availability`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...CSRF },
      body: 'a,b',
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it('answers a body over the configured limit with 413', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => `p-${String(i).padStart(5, '0')}`);
    await expectProblem(await postJson(`${stack.url}/api/v1/products/availability`, { ids }, CSRF), 413, 'payload-too-large');
  });

  it('keeps a well-formed inbound request id, propagates it upstream, and replaces a malformed one', async () => {
    const res = await page(KNOWN_IDS.product, {
      headers: { 'x-request-id': 'spa-req-123', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(res.headers.get('x-request-id')).toBe('spa-req-123');
    const upstream = await stack.sandbox.admin.stats('pricing');
    expect(upstream.lastHeaders['x-request-id']).toBe('spa-req-123');
    expect(upstream.lastHeaders.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(upstream.lastHeaders['x-request-deadline-ms']).toMatch(/^\d+$/);

    const bad = await page(KNOWN_IDS.product, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never forwards credentials to upstreams that are not configured for relay', async () => {
    await page(KNOWN_IDS.product, { headers: { authorization: 'Bearer secret-token', cookie: 'a=b' } });
    const headers = (await stack.sandbox.admin.stats('catalog')).lastHeaders;
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
  });

  it('maps an upstream 5xx on the subject to 502, without leaking the upstream', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    const body = await expectProblem(await page(KNOWN_IDS.product), 502, 'upstream-error');
    expect(JSON.stringify(body)).not.toContain('catalog');
  });

  it('sets security headers and answers CORS only for allowed origins', async () => {
    const allowed = await fetch(`${stack.url}/health/live`, { headers: { origin: 'https://shop.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    const denied = await fetch(`${stack.url}/health/live`, { headers: { origin: 'https://evil.example.net' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  /** helmet's headers that only act on an HTML page (a browsing context). */
  const DOCUMENT_ONLY = [
    'cross-origin-opener-policy',
    'origin-agent-cluster',
    'x-dns-prefetch-control',
    'x-download-options',
    'x-permitted-cross-domain-policies',
    'x-xss-protection',
  ];

  it("sends the API security headers on JSON, problem (route, guard and body-parser refusals) and 404 responses, and helmet's document set on HTML", async () => {
    const api = {
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-site',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    };
    const responses = [
      await page(KNOWN_IDS.product),
      await page('bad%20id!'),
      await fetch(`${stack.url}/api/v1/nope`),
      await fetch(`${stack.url}/api/v1/products/availability`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example.net', 'sec-fetch-site': 'cross-site' },
        body: '{}',
      }),
      // Refused by Fastify's body parsing, before any route code runs.
      await fetch(`${stack.url}/api/v1/products/availability`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'hello',
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 400, 404, 403, 415]);
    for (const res of responses) {
      for (const [name, value] of Object.entries(api)) expect(res.headers.get(name), name).toBe(value);
      for (const name of DOCUMENT_ONLY) expect(res.headers.get(name), name).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }

    const ui = await fetch(`${stack.url}/docs`);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = ui.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(ui.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(ui.headers.get('x-frame-options')).toBe('DENY');
    for (const name of DOCUMENT_ONLY) expect(ui.headers.get(name), name).not.toBeNull();
    // Its own script is served by the app (script-src 'self'), and a script is not a document.
    const script = await fetch(`${stack.url}/docs/swagger-ui-init.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cross-origin-opener-policy')).toBeNull();
  });

  it('reports readiness from every upstream, and from the session store when it is Redis', async () => {
    const ready = await fetch(`${stack.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = await ready.json();
    const upstreams = [
      'upstream:carts',
      'upstream:catalog',
      'upstream:customers',
      'upstream:inventory',
      'upstream:orders',
      'upstream:pricing',
      'upstream:recommendations',
      'upstream:reviews',
    ];
    // Sessions live in Redis when REDIS_URL is set (CI sets it), so the session store is reported too.
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(process.env.REDIS_URL ? ['redis:sessions', ...upstreams] : upstreams);
  });

  it('maps a refused connection on the subject to 503 with Retry-After; readiness stays 200 and names the dead upstream', async () => {
    const broken = await startStack(WebBffModule, WEB_BFF, { UPSTREAM_CATALOG_URL: 'http://127.0.0.1:9', ...WEB_AUTH_OFFLINE_ENV });
    try {
      const res = await fetch(`${broken.url}/api/v1/pages/product/${KNOWN_IDS.product}`);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      await expectProblem(res, 503, 'upstream-unavailable');
      // A dependency every instance shares must not take them all out of rotation: reported, not gated.
      const ready = await fetch(`${broken.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = await ready.json();
      expect(body.status).toBe('degraded');
      expect(body.details).toMatchObject({ 'upstream:catalog': { status: 'down' }, 'upstream:pricing': { status: 'up' } });
      expect(JSON.stringify(body)).not.toContain('127.0.0.1');
      expect(await (await fetch(`${broken.url}/health/live`)).json()).toEqual({ status: 'ok' });
    } finally {
      await broken.close();
    }
  });

  it('publishes Swagger UI and an OpenAPI 3 document titled for the browser client', async () => {
    const doc = await (await fetch(`${stack.url}/docs-json`)).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Web BFF (browser SPA)');
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie' });
    expect(doc.paths['/api/v1/pages/product/{id}'].get.responses['404'].content['application/problem+json']).toBeDefined();
    const ui = await fetch(`${stack.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });
});
