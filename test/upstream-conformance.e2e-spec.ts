import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PlatformError, RequestContext, type RequestContextData } from '@bff/core';
import {
  axiosHttpServices,
  createTransport,
  UpstreamClient,
  UpstreamError,
  type HttpServiceFactory,
  type UpstreamDefinition,
  type UpstreamTokenSource,
  type UpstreamTransportKind,
} from '@bff/upstream';

import { startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { freePort } from './support/process.js';

/**
 * The transport conformance suite: the same cases, against real sandbox sockets, for every
 * transport. A transport passes when the client built on it behaves identically: same parsed
 * bodies, same propagated headers, same coded failures, same resilience behaviour.
 */
const TRANSPORTS: readonly UpstreamTransportKind[] = ['undici', 'axios'];
const SLACK_MS = 250;

let sandbox: Sandbox<'catalog' | 'pricing' | 'orders'>;
let closedPortUrl: string;
let httpServiceFor: HttpServiceFactory;
const clients: UpstreamClient[] = [];

beforeAll(async () => {
  Logger.overrideLogger(['error']);
  sandbox = await startSandbox({ basePort: 0, profile: 'test', services: ['catalog', 'pricing', 'orders'] });
  // Nothing listens there, and (below the ephemeral range) no listen(0) of a parallel test takes it.
  closedPortUrl = `http://127.0.0.1:${await freePort()}`;
  httpServiceFor = await axiosHttpServices();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.admin.reset();
});

function context(overrides: Partial<RequestContextData> = {}): RequestContextData {
  return {
    requestId: 'req-conformance-0001',
    startedAt: performance.now(),
    propagated: {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=abc',
      'accept-language': 'de-CH',
    },
    inboundHeaders: { 'x-tenant': 'acme', authorization: 'Bearer caller-token', cookie: 'session=secret' },
    slots: new Map(),
    responseHeaders: {},
    ...overrides,
  };
}

/** Runs `fn` inside a request context; resolves to the error when it rejects. */
async function inRequest<T>(fn: () => Promise<T>, ctx: RequestContextData = context()): Promise<T> {
  return RequestContext.run(ctx, fn);
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

async function elapsed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

describe.each(TRANSPORTS)('upstream client conformance on the %s transport', (kind) => {
  function client(
    definition: Partial<UpstreamDefinition> & { name?: string } = {},
    url?: string,
    tokens?: UpstreamTokenSource,
  ): UpstreamClient {
    const def: UpstreamDefinition = { name: 'catalog', timeoutMs: 1_000, retry: false, ...definition };
    const base = url ?? sandbox.urls.catalog;
    const c = new UpstreamClient(def, base, {
      transport: createTransport(kind, def, base, kind === 'axios' ? httpServiceFor(def, base) : undefined),
      tokens,
    });
    clients.push(c);
    return c;
  }

  it('parses JSON and returns status and headers', async () => {
    const res = await inRequest(() => client().request<{ id: string; name: string }>({ path: '/products/p-00001' }));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('p-00001');
    expect(typeof res.body.name).toBe('string');
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('propagates request id, trace context, language and the deadline; never credentials or hop-by-hop headers', async () => {
    const c = client({ propagateHeaders: ['x-tenant'] });
    const ctx = context({ deadline: performance.now() + 5_000 });
    await inRequest(
      () => c.getJson('/products/p-00001', { headers: { connection: 'close', authorization: 'Bearer smuggled', 'x-extra': '1' } }),
      ctx,
    );
    const { lastHeaders } = await sandbox.admin.stats('catalog');
    expect(lastHeaders['x-request-id']).toBe('req-conformance-0001');
    expect(lastHeaders.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(lastHeaders.tracestate).toBe('vendor=abc');
    expect(lastHeaders['accept-language']).toBe('de-CH');
    expect(lastHeaders['x-tenant']).toBe('acme');
    expect(lastHeaders['x-extra']).toBe('1');
    const budget = Number(lastHeaders['x-request-deadline-ms']);
    expect(budget).toBeGreaterThan(4_000);
    expect(budget).toBeLessThanOrEqual(5_000);
    expect(lastHeaders.authorization).toBeUndefined();
    expect(lastHeaders.cookie).toBeUndefined();
    expect(lastHeaders.connection).not.toBe('close');
  });

  it('refuses to declare credentials as propagated headers', () => {
    expect(() => client({ propagateHeaders: ['Authorization'] })).toThrow(/credentials are forwarded only through auth: 'relay'/);
  });

  it("relays the caller's token only to relay upstreams, and fetches client-credentials tokens for others", async () => {
    const tokens: UpstreamTokenSource = {
      relayToken: () => 'relayed-access-token',
      clientCredentialsToken: (upstream) => Promise.resolve(`cc-token-for-${upstream.name}`),
    };
    await inRequest(() => client({ auth: 'relay' }, undefined, tokens).getJson('/products/p-00001'));
    expect((await sandbox.admin.stats('catalog')).lastHeaders.authorization).toBe('Bearer relayed-access-token');
    await inRequest(() => client({ auth: 'client-credentials' }, undefined, tokens).getJson('/products/p-00001'));
    expect((await sandbox.admin.stats('catalog')).lastHeaders.authorization).toBe('Bearer cc-token-for-catalog');
    await inRequest(() => client({ auth: 'none' }, undefined, tokens).getJson('/products/p-00001'));
    expect((await sandbox.admin.stats('catalog')).lastHeaders.authorization).toBeUndefined();
  });

  it('awaits an exchanged relay token within the call timeout; a coded refusal of the source is the answer as it is', async () => {
    const exchanged: UpstreamTokenSource = {
      relayToken: (_upstream, signal) =>
        new Promise((resolve) => setTimeout(() => resolve(signal.aborted ? 'late' : 'exchanged-token'), 20)),
      clientCredentialsToken: () => Promise.reject(new Error('unused')),
    };
    await inRequest(() => client({ auth: 'relay' }, undefined, exchanged).getJson('/products/p-00001'));
    expect((await sandbox.admin.stats('catalog')).lastHeaders.authorization).toBe('Bearer exchanged-token');

    const refused: UpstreamTokenSource = {
      relayToken: () => Promise.reject(new PlatformError('unauthorized', 'TOKEN_EXCHANGE_REFUSED', 'refused')),
      clientCredentialsToken: () => Promise.reject(new Error('unused')),
    };
    await sandbox.admin.resetStats();
    const error = await inRequest(() => client({ auth: 'relay' }, undefined, refused).getJson('/products/p-00001')).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'unauthorized', code: 'TOKEN_EXCHANGE_REFUSED' });
    expect((await sandbox.admin.stats('catalog')).requests).toBe(0);

    const hanging: UpstreamTokenSource = {
      relayToken: () => new Promise<string>(() => undefined),
      clientCredentialsToken: () => Promise.reject(new Error('unused')),
    };
    const [stuck, ms] = await elapsed(() =>
      failure(inRequest(() => client({ auth: 'relay', timeoutMs: 200 }, undefined, hanging).getJson('/products/p-00001'))),
    );
    expect(stuck).toMatchObject({ kind: 'unavailable', code: 'UPSTREAM_CREDENTIALS_UNAVAILABLE' });
    expect(ms).toBeLessThan(200 + SLACK_MS);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(0);
  });

  it('refuses a client-credentials upstream without a token source at construction', () => {
    expect(() => client({ auth: 'client-credentials' })).toThrow(/UpstreamTokenSource/);
  });

  it('maps a 404 to not_found and another 4xx/5xx to a coded gateway error, without the body', async () => {
    const notFound = await failure(inRequest(() => client().getJson('/products/p-99999')));
    expect(notFound.kind).toBe('not_found');
    expect(notFound.upstreamStatus).toBe(404);
    await sandbox.admin.setFaults('catalog', [{ status: 500, body: { secret: 'stack at db.ts:12' } }]);
    const serverError = await failure(inRequest(() => client().getJson('/products/p-00001')));
    expect(serverError).toMatchObject({ kind: 'bad_gateway', code: 'UPSTREAM_ERROR', failure: 'http_status', upstreamStatus: 500 });
    expect(serverError.publicDetail).not.toMatch(/secret|db\.ts/);
  });

  it('answers an upstream 503 as unavailable with its Retry-After', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 503, retryAfter: 7 }]);
    const error = await failure(inRequest(() => client().getJson('/products/p-00001')));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 7 });
  });

  it('times out a slow upstream at its own timeout', async () => {
    await sandbox.admin.setFaults('catalog', [{ latencyMs: 2_000 }]);
    const [error, ms] = await elapsed(() => failure(inRequest(() => client({ timeoutMs: 200 }).getJson('/products/p-00001'))));
    expect(error).toMatchObject({ failure: 'timeout', kind: 'timeout', code: 'UPSTREAM_TIMEOUT' });
    expect(ms).toBeLessThan(200 + SLACK_MS);
  });

  it('gives each call min(its timeout, the remaining budget), and makes no call once the budget is spent', async () => {
    await sandbox.admin.setFaults('catalog', [{ latencyMs: 2_000 }]);
    const ctx = context({ deadline: performance.now() + 150 });
    const [error, ms] = await elapsed(() => failure(inRequest(() => client({ timeoutMs: 1_000 }).getJson('/products/p-00001'), ctx)));
    expect(error).toMatchObject({ failure: 'deadline_exceeded', kind: 'timeout', code: 'DEADLINE_EXCEEDED' });
    expect(ms).toBeLessThan(150 + SLACK_MS);

    await sandbox.admin.resetStats();
    const spent = context({ deadline: performance.now() - 1 });
    const none = await failure(inRequest(() => client().getJson('/products/p-00001'), spent));
    expect(none.failure).toBe('deadline_exceeded');
    expect((await sandbox.admin.stats('catalog')).requests).toBe(0);
  });

  it('reports connection refused as unavailable with Retry-After', async () => {
    const error = await failure(inRequest(() => client({}, closedPortUrl).getJson('/products/p-00001')));
    expect(error).toMatchObject({ failure: 'connection_refused', kind: 'unavailable', code: 'UPSTREAM_UNAVAILABLE' });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('reports a reset mid-body, a malformed body and an oversized body as bad gateway', async () => {
    await sandbox.admin.setFaults('catalog', [{ resetMidBody: true, times: 1 }]);
    expect(await failure(inRequest(() => client().getJson('/products/p-00001')))).toMatchObject({
      failure: 'connection_reset',
      kind: 'bad_gateway',
    });
    await sandbox.admin.setFaults('catalog', [{ malformed: true, times: 1 }]);
    expect(await failure(inRequest(() => client().getJson('/products/p-00001')))).toMatchObject({
      failure: 'malformed_body',
      code: 'UPSTREAM_MALFORMED_RESPONSE',
    });
    await sandbox.admin.setFaults('catalog', [{ oversizeBytes: 300_000, times: 1 }]);
    expect(await failure(inRequest(() => client({ maxBodyBytes: 100_000 }).getJson('/products/p-00001')))).toMatchObject({
      failure: 'body_too_large',
      code: 'UPSTREAM_RESPONSE_TOO_LARGE',
    });
  });

  it('times out a body that stalls after the headers', async () => {
    await sandbox.admin.setFaults('catalog', [{ stallMs: 3_000, times: 1 }]);
    const [error, ms] = await elapsed(() => failure(inRequest(() => client({ timeoutMs: 300 }).getJson('/products/p-00001'))));
    expect(error.failure).toBe('timeout');
    expect(ms).toBeLessThan(300 + SLACK_MS);
  });

  it('retries idempotent calls on transient failures with backoff', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 503, times: 2 }]);
    const c = client({ retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 } });
    const product = await inRequest(() => c.getJson<{ id: string }>('/products/p-00001'));
    expect(product.id).toBe('p-00001');
    expect((await sandbox.admin.stats('catalog')).requests).toBe(3);
    expect(c.resilienceSnapshot().retries).toBe(2);
  });

  it('never retries a non-idempotent call, unless it carries an Idempotency-Key', async () => {
    const orders = (): UpstreamClient =>
      client({ name: 'orders', retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 } }, sandbox.urls.orders);
    await sandbox.admin.setFaults('orders', [{ status: 503, times: 1 }]);
    await failure(inRequest(() => orders().request({ method: 'POST', path: '/orders', body: { customerId: 'c-0001', items: [] } })));
    expect((await sandbox.admin.stats('orders')).requests).toBe(1);

    await sandbox.admin.resetStats();
    await sandbox.admin.setFaults('orders', [{ status: 503, times: 2 }]);
    await failure(
      inRequest(() =>
        orders().request({ method: 'POST', path: '/orders', body: { customerId: 'c-0001', items: [] }, idempotencyKey: 'key-123' }),
      ),
    );
    const stats = await sandbox.admin.stats('orders');
    expect(stats.requests).toBe(3);
    expect(stats.lastHeaders['idempotency-key']).toBe('key-123');
  });

  it('never retries past the deadline', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 503, latencyMs: 40 }]);
    const c = client({ retry: { maxAttempts: 50, initialDelayMs: 20, maxDelayMs: 40 }, breaker: false });
    const ctx = context({ deadline: performance.now() + 300 });
    const [error, ms] = await elapsed(() => failure(inRequest(() => c.getJson('/products/p-00001'), ctx)));
    expect(['http_status', 'deadline_exceeded']).toContain(error.failure);
    expect(ms).toBeLessThan(300 + SLACK_MS);
    const attempts = (await sandbox.admin.stats('catalog')).requests;
    expect(attempts).toBeGreaterThan(1);
    expect(attempts).toBeLessThan(50);
  });

  it('does not retry when the upstream asks to wait longer than the deadline allows', async () => {
    // Let stragglers of earlier tests land before counting.
    await new Promise((r) => setTimeout(r, 100));
    await sandbox.admin.setFaults('catalog', [{ status: 503, retryAfter: 5 }]);
    const before = (await sandbox.admin.stats('catalog')).requests;
    const c = client({ retry: { maxAttempts: 3, initialDelayMs: 10 } });
    const ctx = context({ deadline: performance.now() + 1_000 });
    const [error, ms] = await elapsed(() => failure(inRequest(() => c.getJson('/products/p-00001'), ctx)));
    expect(error).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 5 });
    expect(ms).toBeLessThan(SLACK_MS);
    expect((await sandbox.admin.stats('catalog')).requests - before).toBe(1);
  });

  it('opens the breaker after its threshold, half-opens after the pause, then closes on success', async () => {
    const c = client({ breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 } });
    await sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    for (let i = 0; i < 3; i++) await failure(inRequest(() => c.getJson('/products/p-00001')));
    expect(c.resilienceSnapshot().breaker).toBe('open');

    const open = await failure(inRequest(() => c.getJson('/products/p-00001')));
    expect(open).toMatchObject({ failure: 'circuit_open', kind: 'unavailable', code: 'UPSTREAM_CIRCUIT_OPEN' });
    expect(open.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(3);

    // Half-open probe fails: open again.
    await new Promise((r) => setTimeout(r, 350));
    await failure(inRequest(() => c.getJson('/products/p-00001')));
    expect(c.resilienceSnapshot().breaker).toBe('open');

    // Upstream recovers; the next probe closes the circuit.
    await sandbox.admin.clearFaults();
    await new Promise((r) => setTimeout(r, 350));
    const product = await inRequest(() => c.getJson<{ id: string }>('/products/p-00001'));
    expect(product.id).toBe('p-00001');
    expect(c.resilienceSnapshot().breaker).toBe('closed');
  });

  it('does not count 4xx answers toward the breaker', async () => {
    const c = client({ breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
    for (let i = 0; i < 4; i++) await failure(inRequest(() => c.getJson('/products/p-99999')));
    expect(c.resilienceSnapshot().breaker).toBe('closed');
  });

  it('fails fast when the bulkhead and its queue are full', async () => {
    await sandbox.admin.setFaults('catalog', [{ latencyMs: 400 }]);
    const c = client({ bulkhead: { maxConcurrent: 2, maxQueue: 1 } });
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        inRequest(() => c.getJson('/products/p-00001')).catch((error: unknown) => {
          throw Object.assign(error as UpstreamError, { at: performance.now() - started });
        }),
      ),
    );
    const rejected = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as UpstreamError & { at: number });
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(rejected).toHaveLength(3);
    for (const error of rejected) {
      expect(error).toMatchObject({ failure: 'bulkhead_full', kind: 'unavailable', code: 'UPSTREAM_OVERLOADED', retryAfterSeconds: 1 });
      expect(error.at).toBeLessThan(100);
    }
    expect((await sandbox.admin.stats('catalog')).requests).toBe(3);
  });
});
