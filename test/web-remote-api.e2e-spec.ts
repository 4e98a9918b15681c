import { request as httpRequest } from 'node:http';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CookieJar, KNOWN_IDS } from '../sandbox/src/index.ts';
import { rawRequest } from './support/raw-http.js';
import { expectProblem } from './support/stack.js';
import { browserLogin, jwtClaims, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

/** Small enough to overrun in a test without megabytes of traffic. */
const BODY_LIMIT = 2048;

interface NodeAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request through node:http, which (unlike fetch) lets the test send hop-by-hop headers. */
function nodeRequest(url: string, method: string, headers: Record<string, string>, body?: string): Promise<NodeAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('web-bff remote APIs: /api/remote/{api}/{path} through the real sandbox, signed in through the real IdP', () => {
  let stack: WebAuthStack;
  let jar: CookieJar;
  beforeAll(async () => {
    stack = await startWebAuthStack({ env: { REMOTE_API_MAX_BODY_BYTES: String(BODY_LIMIT) } });
    jar = new CookieJar();
    const login = await browserLogin(stack.url, jar);
    expect(login.sessionId).toEqual(expect.any(String));
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    await stack.sandbox.admin.clearFaults();
    await stack.sandbox.admin.resetStats();
  });

  const url = (path: string): string => `${stack.url}${path}`;
  const cookieHeader = (): string => jar.header(stack.url, { crossSite: false, topLevel: false, method: 'GET' }) ?? '';

  it('forwards an allowlisted GET with its query string and answers with the upstream body', async () => {
    const res = await spaFetch(jar, url('/api/remote/catalog/products?limit=2'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { items: Array<{ id: string }> };
    expect(body.items).toHaveLength(2);
    const single = await spaFetch(jar, url(`/api/remote/catalog/products/${KNOWN_IDS.product}`));
    expect(single.status).toBe(200);
    expect(((await single.json()) as { id: string }).id).toBe(KNOWN_IDS.product);
    const stats = await stack.sandbox.admin.stats('catalog');
    expect(stats.byRoute['GET /products']).toBe(1);
  });

  it("forwards an allowlisted POST byte for byte to a relay upstream, with the user's token and without the browser's credentials", async () => {
    const sent = `{"productId":"${KNOWN_IDS.productAlt}",  "quantity":2}`;
    const res = await fetch(url(`/api/remote/carts/carts/${KNOWN_IDS.cart}/items`), {
      method: 'POST',
      headers: { cookie: cookieHeader(), 'x-csrf': '1', 'content-type': 'application/json', authorization: 'Bearer browser-made-up' },
      body: sent,
    });
    expect(res.status).toBe(200);
    const cart = (await res.json()) as { id: string; items: Array<{ productId: string; quantity: number }> };
    expect(cart.id).toBe(KNOWN_IDS.cart);
    expect(cart.items).toContainEqual(expect.objectContaining({ productId: KNOWN_IDS.productAlt }));

    const seen = (await stack.sandbox.admin.stats('carts')).lastHeaders;
    // The session's access token, issued by the IdP for this user, not what the browser sent.
    const authorization = String(seen.authorization);
    expect(authorization).toMatch(/^Bearer /);
    expect(authorization).not.toContain('browser-made-up');
    expect(jwtClaims(authorization.slice('Bearer '.length))).toMatchObject({ iss: stack.idp.issuer });
    expect(seen.cookie).toBeUndefined();
    expect(seen['x-csrf']).toBeUndefined();
    expect(seen['content-length']).toBe(String(Buffer.byteLength(sent)));
    expect(seen['x-request-id']).toBe(res.headers.get('x-request-id'));
  });

  it("passes the upstream's conditional answers on: ETag, then 304 for If-None-Match", async () => {
    const first = await spaFetch(jar, url(`/api/remote/catalog/products/${KNOWN_IDS.product}`));
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(first.headers.get('cache-control')).toEqual(expect.any(String));
    const again = await spaFetch(jar, url(`/api/remote/catalog/products/${KNOWN_IDS.product}`), { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('x-request-id')).toEqual(expect.any(String));
  });

  it("marks answers that carried the user's token private, so no shared cache keeps them", async () => {
    const res = await spaFetch(jar, url(`/api/remote/carts/carts/${KNOWN_IDS.cart}`));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^private\b/);
    expect(res.headers.get('cache-control')).not.toMatch(/\bpublic\b|s-maxage/);
  });

  it('never sends a token to an upstream that is not declared relay', async () => {
    const res = await fetch(url('/api/remote/catalog/categories'), {
      headers: { cookie: cookieHeader(), 'x-csrf': '1', authorization: 'Bearer browser-made-up' },
    });
    expect(res.status).toBe(200);
    const seen = (await stack.sandbox.admin.stats('catalog')).lastHeaders;
    expect(seen.authorization).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
  });

  it('strips hop-by-hop headers (and those Connection names) on the way up, and the upstream credentials on the way down', async () => {
    const res = await nodeRequest(url('/api/remote/catalog/products?limit=1'), 'GET', {
      cookie: cookieHeader(),
      'x-csrf': '1',
      connection: 'keep-alive, x-hop-secret',
      'keep-alive': 'timeout=5',
      'x-hop-secret': 'dropped',
      te: 'trailers',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'x-end-to-end': 'kept',
      'accept-language': 'de-DE',
    });
    expect(res.status).toBe(200);
    const seen = (await stack.sandbox.admin.stats('catalog')).lastHeaders;
    expect(seen['x-hop-secret']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
    expect(seen.te).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
    expect(seen['x-end-to-end']).toBe('kept');
    expect(seen['accept-language']).toBe('de-DE');
    // Down: no upstream cookie or credential headers, and the BFF's own security policy, not the upstream's.
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('answers 404 remote-api-not-allowed outside the allowlist: unknown API, path or method', async () => {
    await expectProblem(await spaFetch(jar, url('/api/remote/orders/orders')), 404, 'remote-api-not-allowed');
    await expectProblem(await spaFetch(jar, url('/api/remote/catalog/__admin/stats')), 404, 'remote-api-not-allowed');
    await expectProblem(await spaFetch(jar, url('/api/remote/catalog/productsX')), 404, 'remote-api-not-allowed');
    await expectProblem(await spaFetch(jar, url('/api/remote/catalog/health')), 404, 'remote-api-not-allowed');
    await expectProblem(
      await spaFetch(jar, url('/api/remote/catalog/products'), { method: 'POST', body: { name: 'x' } }),
      404,
      'remote-api-not-allowed',
    );
    await expectProblem(await spaFetch(jar, url('/api/remote/constructor/products')), 404, 'remote-api-not-allowed');
    await expectProblem(await spaFetch(jar, url('/api/remote/cat%61log/products')), 404, 'remote-api-not-allowed');
    expect((await stack.sandbox.admin.stats('catalog')).requests).toBe(0);
  });

  it.each([
    ['a dot-dot segment', '/api/remote/catalog/products/../__admin/stats'],
    ['an encoded dot-dot segment', '/api/remote/catalog/products/%2e%2e/__admin/stats'],
    ['an encoded slash', '/api/remote/catalog/products%2F..%2F__admin'],
    ['an encoded backslash', '/api/remote/catalog/products/%5c..%5c__admin'],
    ['double encoding', '/api/remote/catalog/products/%252e%252e/x'],
    ['an empty segment', '/api/remote/catalog/products//x'],
    ['an encoded NUL', '/api/remote/catalog/products/%00'],
  ])('answers 400 invalid-remote-path for %s', async (_name, path) => {
    // On a raw socket: URL parsers (fetch, node:http) would resolve the dot segments before sending.
    const res = await rawRequest(
      stack.url,
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookieHeader()}\r\nX-CSRF: 1\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, type: 'https://bff.example.com/problems/invalid-remote-path' });
    expect((await stack.sandbox.admin.stats('catalog')).requests).toBe(0);
  });

  it('needs a session (401) and the CSRF header (403)', async () => {
    await expectProblem(await fetch(url('/api/remote/catalog/products'), { headers: { 'x-csrf': '1' } }), 401, 'session-required');
    await expectProblem(await spaFetch(jar, url('/api/remote/catalog/products'), { csrf: false }), 403, 'csrf-header-required');
    expect((await stack.sandbox.admin.stats('catalog')).requests).toBe(0);
  });

  it('refuses a body over REMOTE_API_MAX_BODY_BYTES with 413, declared or chunked, before calling the upstream', async () => {
    const big = JSON.stringify({ productId: KNOWN_IDS.product, quantity: 1, pad: 'x'.repeat(BODY_LIMIT) });
    const path = `/api/remote/carts/carts/${KNOWN_IDS.cart}/items`;
    const declared = await spaFetch(jar, url(path), { method: 'POST', body: JSON.parse(big) });
    await expectProblem(declared, 413, 'payload-too-large');
    const chunked = await fetch(url(path), {
      method: 'POST',
      headers: { cookie: cookieHeader(), 'x-csrf': '1', 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    await expectProblem(chunked, 413, 'payload-too-large');
    expect((await stack.sandbox.admin.stats('carts')).requests).toBe(0);
  });

  it('maps upstream failures to problems that leak neither the upstream URL nor its body', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products', status: 502, body: { secret: 'upstream-internal-detail' } }]);
    const failed = await spaFetch(jar, url('/api/remote/catalog/products'));
    const body = await expectProblem(failed, 502, 'upstream-error');
    expect(JSON.stringify(body)).not.toContain('upstream-internal-detail');
    // A GET is idempotent: a 502 is retried before the BFF gives up.
    expect((await stack.sandbox.admin.stats('catalog')).requests).toBeGreaterThan(1);

    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products', status: 503, retryAfter: 7 }]);
    const unavailable = await spaFetch(jar, url('/api/remote/catalog/products'));
    await expectProblem(unavailable, 503, 'upstream-unavailable');

    await stack.sandbox.admin.clearFaults();
    await expectProblem(await spaFetch(jar, url(`/api/remote/catalog/products/${KNOWN_IDS.productUnknown}`)), 404, 'not-found');
  });

  it('does not retry a failed POST (not idempotent)', async () => {
    await stack.sandbox.admin.setFaults('carts', [{ path: '/carts', method: 'POST', status: 500 }]);
    const res = await spaFetch(jar, url(`/api/remote/carts/carts/${KNOWN_IDS.cart}/items`), {
      method: 'POST',
      body: { productId: KNOWN_IDS.product, quantity: 1 },
    });
    await expectProblem(res, 502, 'upstream-error');
    expect((await stack.sandbox.admin.stats('carts')).requests).toBe(1);
  });
});

describe('web-bff remote APIs on the axios transport (UPSTREAM_TRANSPORT=axios)', () => {
  let stack: WebAuthStack;
  let jar: CookieJar;
  beforeAll(async () => {
    stack = await startWebAuthStack({ env: { UPSTREAM_TRANSPORT: 'axios', REMOTE_API_MAX_BODY_BYTES: String(BODY_LIMIT) } });
    jar = new CookieJar();
    await browserLogin(stack.url, jar);
  });
  afterAll(() => stack?.close());

  it("streams a GET's answer and forwards a POST with the user's token, as on undici", async () => {
    const list = await spaFetch(jar, `${stack.url}/api/remote/catalog/products?limit=3`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(3);

    const added = await spaFetch(jar, `${stack.url}/api/remote/carts/carts/${KNOWN_IDS.cart}/items`, {
      method: 'POST',
      body: { productId: KNOWN_IDS.productAlt, quantity: 1 },
    });
    expect(added.status).toBe(200);
    expect(((await added.json()) as { items: Array<{ productId: string }> }).items).toContainEqual(
      expect.objectContaining({ productId: KNOWN_IDS.productAlt }),
    );
    expect(String((await stack.sandbox.admin.stats('carts')).lastHeaders.authorization)).toMatch(/^Bearer /);
  });

  it('maps an upstream failure to a problem that leaks nothing', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products', status: 502, body: { secret: 'upstream-internal-detail' } }]);
    try {
      const body = await expectProblem(await spaFetch(jar, `${stack.url}/api/remote/catalog/products?limit=1`), 502, 'upstream-error');
      expect(JSON.stringify(body)).not.toContain('upstream-internal-detail');
      expect(JSON.stringify(body)).not.toContain('127.0.0.1');
    } finally {
      await stack.sandbox.admin.clearFaults();
    }
  });
});
