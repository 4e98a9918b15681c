import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApiClient, unwrap } from '../frontends/storefront/src/api/client.ts';
import { IdempotentAttempt, isRetryableStatus, type KeyStorage } from '../frontends/storefront/src/api/idempotency.ts';
import { ApiError, degradedSections, parseProblem } from '../frontends/storefront/src/api/problem.ts';

class MemoryStorage implements KeyStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('storefront client: problems', () => {
  it('reads an RFC 9457 problem body, its request id first', () => {
    const problem = parseProblem(404, new Headers({ 'x-request-id': 'from-header' }), {
      type: 'https://errors.example/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No such product.',
      requestId: 'from-body',
    });
    expect(problem).toEqual({
      type: 'https://errors.example/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No such product.',
      requestId: 'from-body',
    });
  });

  it('builds a problem from the status and the X-Request-Id header when the body is not one', () => {
    expect(parseProblem(502, new Headers({ 'x-request-id': 'r-1' }), '<html>Bad gateway</html>')).toEqual({
      type: 'about:blank',
      title: 'HTTP 502',
      status: 502,
      requestId: 'r-1',
    });
    expect(parseProblem(500, new Headers(), { title: 42 })).toMatchObject({ title: 'HTTP 500', requestId: undefined });
  });

  it('lists the degraded sections of X-Degraded-Sections', () => {
    expect(degradedSections(new Headers({ 'x-degraded-sections': 'price, recommendations-stock' }))).toEqual([
      'price',
      'recommendations-stock',
    ]);
    expect(degradedSections(new Headers())).toEqual([]);
  });
});

describe('storefront client: checkout idempotency keys', () => {
  const counter = (): (() => string) => {
    let n = 0;
    return () => `key-${++n}`;
  };

  it('reuses the key of an unsettled attempt for the same cart and makes a new one once settled', () => {
    const attempt = new IdempotentAttempt('checkout', undefined, counter());
    expect(attempt.keyFor('p-1x2')).toBe('key-1');
    expect(attempt.keyFor('p-1x2')).toBe('key-1');
    attempt.settle();
    expect(attempt.keyFor('p-1x2')).toBe('key-2');
  });

  it('makes a new key when the cart changed', () => {
    const attempt = new IdempotentAttempt('checkout', undefined, counter());
    expect(attempt.keyFor('p-1x2')).toBe('key-1');
    expect(attempt.keyFor('p-1x3')).toBe('key-2');
  });

  it('keeps the key after an unknown outcome (timeout, 5xx, network) and drops it after a final answer', () => {
    const attempt = new IdempotentAttempt('checkout', undefined, counter());
    const key = attempt.keyFor('cart');
    for (const status of [0, 408, 429, 500, 503, 504]) {
      attempt.settleUnlessRetryable(status);
      expect(attempt.keyFor('cart')).toBe(key);
    }
    attempt.settleUnlessRetryable(422);
    expect(attempt.keyFor('cart')).not.toBe(key);
    expect(isRetryableStatus(400)).toBe(false);
    expect(isRetryableStatus(201)).toBe(false);
  });

  it('survives a reload through its storage, and ignores a corrupt stored value', () => {
    const storage = new MemoryStorage();
    const first = new IdempotentAttempt('checkout', storage, counter());
    const key = first.keyFor('cart');
    const afterReload = new IdempotentAttempt('checkout', storage, () => 'other');
    expect(afterReload.keyFor('cart')).toBe(key);
    afterReload.settle();
    expect(storage.items.size).toBe(0);

    storage.setItem('checkout', '{not json');
    const corrupt = new IdempotentAttempt('checkout', storage, () => 'fresh');
    expect(storage.items.has('checkout')).toBe(false);
    expect(corrupt.keyFor('cart')).toBe('fresh');
  });

  it('uses random UUIDs by default', () => {
    const a = new IdempotentAttempt('checkout').keyFor('cart');
    const b = new IdempotentAttempt('checkout').keyFor('cart');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});

describe('storefront client: typed calls over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/auth/user') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: 'u-1', scopes: ['openid'] }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/problem+json', 'x-request-id': 'req-404' }).end(
        JSON.stringify({
          type: 'https://errors.example/not-found',
          title: 'Not Found',
          status: 404,
          detail: 'Unknown product.',
          instance: req.url,
          requestId: 'req-404',
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends X-CSRF: 1 and Accept: application/json on every call and returns the data', async () => {
    const api = createApiClient(baseUrl);
    const { data, response } = await unwrap(api.GET('/auth/user'));
    expect(response.status).toBe(200);
    expect(data).toEqual({ sub: 'u-1', scopes: ['openid'] });
    expect(seen.at(-1)).toMatchObject({ 'x-csrf': '1', accept: 'application/json' });
  });

  it('throws an ApiError carrying the problem title, status and request id', async () => {
    const api = createApiClient(baseUrl);
    const failure = await unwrap(api.GET('/api/v1/pages/product/{id}', { params: { path: { id: 'p-99999' } } })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem).toMatchObject({
      title: 'Not Found',
      status: 404,
      detail: 'Unknown product.',
      requestId: 'req-404',
    });
  });

  it('turns a request that got no answer into a network problem (status 0)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await unwrap(createApiClient(url).GET('/auth/user')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).problem).toMatchObject({ title: 'Network error', status: 0 });
  });
});
