import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createMobileBffClient } from '@bff-clients/mobile-bff';
import { createPartnerBffClient } from '@bff-clients/partner-bff';
import { createBffClient, createWebBffClient, parseRetryAfter, ProblemError, send, sendConditional } from '@bff-clients/web-bff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the local server saw: method, URL and headers of each request, plus its body. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const problem = (status: number, title: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: `https://errors.example/${status}`,
    title,
    status,
    detail: `${title}.`,
    instance: '/x',
    requestId: 'req-body',
    ...extra,
  });

describe('generated clients over a real HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const path = (req.url ?? '').split('?')[0];
        if (path === '/auth/user') {
          res
            .writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-ok' })
            .end(JSON.stringify({ sub: 'u-1', scopes: [] }));
        } else if (path === '/api/v1/pages/home') {
          if (req.headers['if-none-match'] === '"v1"') {
            res.writeHead(304, { etag: '"v1"', 'x-request-id': 'req-304' }).end();
            return;
          }
          res
            .writeHead(200, { 'content-type': 'application/json', etag: '"v1"', 'x-degraded-sections': 'featured-price, featured-stock' })
            .end(JSON.stringify({ categories: [], featured: [], meta: { degraded: [] } }));
        } else if (path === '/api/v1/pages/product/p-404') {
          res.writeHead(404, { 'content-type': 'application/problem+json', 'x-request-id': 'req-header' }).end(problem(404, 'Not Found'));
        } else if (path === '/api/v1/pages/product/p-header-only') {
          const { requestId: _omitted, ...body } = JSON.parse(problem(404, 'Not Found')) as Record<string, unknown>;
          res.writeHead(404, { 'content-type': 'application/problem+json', 'x-request-id': 'req-header' }).end(JSON.stringify(body));
        } else if (path === '/api/v1/pages/product/p-html') {
          res.writeHead(502, { 'content-type': 'text/html', 'x-request-id': 'req-proxy' }).end('<html><body>Bad gateway</body></html>');
        } else if (path === '/api/v1/pages/product/p-slow') {
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 2_000).unref();
        } else if (path === '/api/v1/pages/listing') {
          res.writeHead(400, { 'content-type': 'application/problem+json' }).end(
            problem(400, 'Bad Request', {
              errors: [{ field: 'limit', in: 'query', constraints: { max: 'limit must not be greater than 100' } }],
            }),
          );
        } else if (path === '/api/v1/cart/items') {
          res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' }).end(problem(429, 'Too Many Requests'));
        } else if (path.startsWith('/api/v1/products/') || path === '/api/v1/listing' || path === '/v1/catalog') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
        } else {
          res.writeHead(404, { 'content-type': 'application/problem+json' }).end(problem(404, 'Not Found'));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('web-bff: sends the fixed X-CSRF header and Accept on every call and returns data with the request id', async () => {
    const api = createWebBffClient({ baseUrl });
    const result = await send(api.GET('/auth/user'));
    expect(result).toMatchObject({ notModified: false, status: 200, requestId: 'req-ok', data: { sub: 'u-1', scopes: [] }, degraded: [] });
    expect(seen.at(-1)?.headers).toMatchObject({ 'x-csrf': '1', accept: 'application/json' });
  });

  it('lists the degraded sections of X-Degraded-Sections on the result', async () => {
    const result = await send(createWebBffClient({ baseUrl }).GET('/api/v1/pages/home'));
    expect(result.degraded).toEqual(['featured-price', 'featured-stock']);
    expect(result.etag).toBe('"v1"');
  });

  it('throws a ProblemError with the problem body, its request id before the header', async () => {
    const failure = await send(
      createWebBffClient({ baseUrl }).GET('/api/v1/pages/product/{id}', { params: { path: { id: 'p-404' } } }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProblemError);
    expect(failure).toMatchObject({
      kind: 'http',
      type: 'https://errors.example/404',
      title: 'Not Found',
      status: 404,
      detail: 'Not Found.',
      instance: '/x',
      requestId: 'req-body',
    });
    expect((failure as ProblemError).response?.status).toBe(404);
  });

  it('falls back to the X-Request-Id header when the problem body has no request id', async () => {
    const failure = await send(
      createWebBffClient({ baseUrl }).GET('/api/v1/pages/product/{id}', { params: { path: { id: 'p-header-only' } } }),
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 404, title: 'Not Found', requestId: 'req-header' });
  });

  it('turns a non-problem error body (a proxy page) into a problem from the status and the header', async () => {
    const failure = await send(
      createWebBffClient({ baseUrl }).GET('/api/v1/pages/product/{id}', { params: { path: { id: 'p-html' } } }),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProblemError);
    expect(failure).toMatchObject({ kind: 'http', type: 'about:blank', title: 'HTTP 502', status: 502, requestId: 'req-proxy' });
  });

  it('carries validation errors and Retry-After', async () => {
    const api = createWebBffClient({ baseUrl });
    const invalid = await send(api.GET('/api/v1/pages/listing', { params: { query: { limit: 500 } } })).catch((error: unknown) => error);
    expect((invalid as ProblemError).errors).toEqual([
      { field: 'limit', in: 'query', constraints: { max: 'limit must not be greater than 100' } },
    ]);
    const limited = await send(api.POST('/api/v1/cart/items', { body: { productId: 'p-00001', quantity: 1 } })).catch(
      (error: unknown) => error,
    );
    expect(limited).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({ productId: 'p-00001', quantity: 1 });
  });

  it('answers a 304 as notModified with sendConditional and as a ProblemError with send', async () => {
    const api = createWebBffClient({ baseUrl });
    const conditional = await sendConditional(api.GET('/api/v1/pages/home', { headers: { 'If-None-Match': '"v1"' } }));
    expect(conditional).toMatchObject({ notModified: true, status: 304, etag: '"v1"', requestId: 'req-304' });
    const fresh = await sendConditional(api.GET('/api/v1/pages/home', { headers: { 'If-None-Match': '"v0"' } }));
    expect(fresh.notModified).toBe(false);
    const plain = await send(api.GET('/api/v1/pages/home', { headers: { 'If-None-Match': '"v1"' } })).catch((error: unknown) => error);
    expect(plain).toMatchObject({ kind: 'http', status: 304, title: 'Not Modified', requestId: 'req-304' });
  });

  it('turns a refused connection into a network ProblemError (status 0)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await send(createWebBffClient({ baseUrl: url }).GET('/auth/user')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProblemError);
    expect(failure).toMatchObject({ kind: 'network', status: 0, title: 'Network error' });
  });

  it('times out after timeoutMs, and reports a caller abort as aborted', async () => {
    const slow = createWebBffClient({ baseUrl, timeoutMs: 100 });
    const started = Date.now();
    const timedOut = await send(slow.GET('/api/v1/pages/product/{id}', { params: { path: { id: 'p-slow' } } })).catch(
      (error: unknown) => error,
    );
    expect(timedOut).toMatchObject({ kind: 'timeout', status: 0, title: 'Timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);

    const controller = new AbortController();
    const call = send(
      createWebBffClient({ baseUrl }).GET('/api/v1/pages/product/{id}', { params: { path: { id: 'p-slow' } }, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 50);
    expect(await call.catch((error: unknown) => error)).toMatchObject({ kind: 'aborted', status: 0, title: 'Aborted' });
  });

  it('a POST with a body still goes out under a timeout', async () => {
    const api = createWebBffClient({ baseUrl, timeoutMs: 1_000 });
    await send(api.POST('/api/v1/cart/items', { body: { productId: 'p-00002', quantity: 2 } })).catch((error: unknown) => error);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/api/v1/cart/items' });
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({ productId: 'p-00002', quantity: 2 });
  });

  it('mobile-bff: sends the bearer token, or a DPoP token with the proof for the URL without query', async () => {
    await send(
      createMobileBffClient({ baseUrl, auth: { kind: 'bearer', token: () => 'at-1' } }).GET('/api/v1/products/{id}', {
        params: { path: { id: 'p-1' } },
      }),
    );
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer at-1');
    expect(seen.at(-1)?.headers.dpop).toBeUndefined();

    const proofs: unknown[] = [];
    const dpop = createMobileBffClient({
      baseUrl,
      auth: {
        kind: 'bearer',
        token: () => Promise.resolve('at-2'),
        dpop: (input) => {
          proofs.push(input);
          return 'proof-jwt';
        },
      },
    });
    await send(dpop.GET('/api/v1/listing', { params: { query: { q: 'shoes', limit: 5 } } }));
    expect(seen.at(-1)).toMatchObject({
      url: '/api/v1/listing?q=shoes&limit=5',
      headers: { authorization: 'DPoP at-2', dpop: 'proof-jwt' },
    });
    expect(proofs).toEqual([{ method: 'GET', url: `${baseUrl}/api/v1/listing`, accessToken: 'at-2' }]);

    await send(
      createMobileBffClient({ baseUrl, auth: { kind: 'bearer', token: () => undefined } }).GET('/api/v1/products/{id}', {
        params: { path: { id: 'p-3' } },
      }),
    );
    expect(seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('partner-bff: sends the API key in its header', async () => {
    const api = createPartnerBffClient({
      baseUrl,
      auth: { kind: 'api-key', key: () => Promise.resolve('bffpk_test') },
    });
    await send(api.GET('/v1/catalog'));
    expect(seen.at(-1)?.headers['x-api-key']).toBe('bffpk_test');
    expect(seen.at(-1)?.headers['x-csrf']).toBeUndefined();

    await send(createPartnerBffClient({ baseUrl, auth: { kind: 'api-key', header: 'X-Other-Key', key: 'k2' } }).GET('/v1/catalog'));
    expect(seen.at(-1)?.headers).toMatchObject({ 'x-other-key': 'k2' });
    expect(() => createBffClient({ baseUrl, auth: { kind: 'api-key', key: 'k3' } })).toThrow(/header name/);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
