import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createAdminClient, KNOWN_IDS, type Problem, type Sandbox } from '../src/index.ts';
import { getJson, sendJson, start, timed } from './support.ts';

let sandbox: Sandbox<'catalog' | 'pricing'>;
let catalog: string;
const productUrl = (): string => `${catalog}/products/${KNOWN_IDS.product}`;

beforeAll(async () => {
  sandbox = await start({ services: ['catalog', 'pricing'] });
  catalog = sandbox.urls.catalog;
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.admin.reset());

describe('fault injection: latency', () => {
  it('delays matching requests only (path prefix)', async () => {
    await sandbox.admin.setFaults('catalog', [{ path: '/products', latencyMs: 300 }]);
    const slow = await timed(() => getJson(productUrl()));
    expect(slow.result.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(290);
    expect(slow.result.headers.get('x-sandbox-fault')).toBe('latency');
    const fast = await timed(() => getJson(`${catalog}/categories`));
    expect(fast.result.status).toBe(200);
    expect(fast.result.headers.get('x-sandbox-fault')).toBeNull();
    expect(fast.ms).toBeLessThan(250);
  });

  it('supports the x-sandbox-latency-ms request header', async () => {
    const { ms, result } = await timed(() => getJson(productUrl(), { headers: { 'x-sandbox-latency-ms': '120' } }));
    expect(result.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(110);
  });
});

describe('fault injection: status', () => {
  it('answers with a problem+json status and Retry-After', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 503, retryAfter: 2 }]);
    const { status, headers, body } = await getJson<Problem>(productUrl());
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('2');
    expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(headers.get('x-sandbox-fault')).toBe('status');
    expect(body).toMatchObject({ status: 503, title: 'Service Unavailable', type: expect.stringContaining('injected-fault') });
  });

  it('can return a custom JSON body', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 429, retryAfter: 1, body: { error: 'slow down' } }]);
    const { status, headers, body } = await getJson(productUrl());
    expect(status).toBe(429);
    expect(headers.get('retry-after')).toBe('1');
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({ error: 'slow down' });
  });

  it('applies to the next N requests only (times)', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 500, times: 2 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await getJson(productUrl())).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    const { body } = await getJson<{ rules: Array<{ remaining: number | null }> }>(`${catalog}/__admin/faults`);
    expect(body.rules[0]?.remaining).toBe(0);
  });

  it('matches by path prefix and method; first matching rule wins', async () => {
    await sandbox.admin.setFaults('catalog', [
      { path: '/categories', method: 'post', status: 418 },
      { path: '/products/p-0000', status: 502 },
      { path: '/products', status: 504 },
    ]);
    expect((await getJson(`${catalog}/categories`)).status).toBe(200);
    expect((await getJson(productUrl())).status).toBe(502);
    expect((await getJson(`${catalog}/products/p-00010`)).status).toBe(504);
    expect((await getJson(`${catalog}/products?limit=1`)).status).toBe(504);
    expect((await getJson(`${catalog}/categories`, { method: 'POST' })).status).toBe(418);
  });

  it('honours probability (deterministic sequence)', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 503, probability: 0 }]);
    for (let i = 0; i < 5; i++) expect((await getJson(productUrl())).status).toBe(200);

    const run = async (): Promise<number[]> => {
      await sandbox.admin.setFaults('catalog', [{ status: 503, probability: 0.5 }]);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await getJson(productUrl())).status);
      return statuses;
    };
    const first = await run();
    const failures = first.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(25);
    expect(await run()).toEqual(first);
  });

  it('never applies to /health, /openapi.json and /__admin', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    expect((await getJson(`${catalog}/health`)).status).toBe(200);
    expect((await getJson(`${catalog}/openapi.json`)).status).toBe(200);
    expect((await getJson(`${catalog}/__admin/stats`)).status).toBe(200);
    expect((await getJson(productUrl())).status).toBe(500);
  });
});

describe('fault injection: broken connections and bodies', () => {
  it('reset: destroys the socket without a response', async () => {
    await sandbox.admin.setFaults('catalog', [{ reset: true, times: 1 }]);
    await expect(fetch(productUrl())).rejects.toThrow();
    expect((await getJson(productUrl())).status).toBe(200);
    const stats = await sandbox.admin.stats('catalog');
    expect(stats.requests).toBe(2);
    expect(stats.faultsApplied).toBe(1);
  });

  it('resetMidBody: sends headers and part of the body, then closes', async () => {
    await sandbox.admin.setFaults('catalog', [{ resetMidBody: true }]);
    const response = await fetch(`${catalog}/products?limit=50`);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(1000);
    await expect(response.text()).rejects.toThrow();
  });

  it('malformed: 200 with invalid JSON', async () => {
    await sandbox.admin.setFaults('catalog', [{ malformed: true }]);
    const response = await fetch(productUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('stall: headers and part of the body arrive, the rest after stallMs', async () => {
    const normal = await (await fetch(productUrl())).text();
    await sandbox.admin.setFaults('catalog', [{ stallMs: 800 }]);
    const started = performance.now();
    const response = await fetch(productUrl());
    const headersAt = performance.now() - started;
    expect(response.status).toBe(200);
    expect(headersAt).toBeLessThan(500);
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error('no body');
    const firstChunk = await reader.read();
    expect(performance.now() - started).toBeLessThan(500);
    expect(firstChunk.value?.byteLength ?? 0).toBeGreaterThan(0);
    expect(firstChunk.value?.byteLength ?? 0).toBeLessThan(Buffer.byteLength(normal));
    const chunks = [Buffer.from(firstChunk.value ?? new Uint8Array())];
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      chunks.push(Buffer.from(next.value));
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(790);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(normal);
  });

  it('oversize: 200 with a valid JSON body of about oversizeBytes', async () => {
    await sandbox.admin.setFaults('catalog', [{ oversizeBytes: 2_000_000 }]);
    const response = await fetch(productUrl());
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.length).toBeGreaterThanOrEqual(1_999_000);
    expect(text.length).toBeLessThanOrEqual(2_001_000);
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('combines latency with a stall on another service without affecting catalog', async () => {
    await sandbox.admin.setFaults('pricing', [{ latencyMs: 100, stallMs: 100 }]);
    const priced = await timed(() => getJson(`${sandbox.urls.pricing}/prices/${KNOWN_IDS.product}`));
    expect(priced.result.status).toBe(200);
    expect(priced.ms).toBeGreaterThanOrEqual(190);
    const plain = await getJson(productUrl());
    expect(plain.status).toBe(200);
    expect(plain.headers.get('x-sandbox-fault')).toBeNull();
  });
});

describe('fault admin API over HTTP', () => {
  it('replaces, lists and clears rules; validates input', async () => {
    const set = await sendJson<{ rules: unknown[] }>(`${catalog}/__admin/faults`, 'POST', { rules: [{ status: 500 }, { latencyMs: 5 }] });
    expect(set.status).toBe(200);
    expect(set.body.rules).toHaveLength(2);
    await sendJson(`${catalog}/__admin/faults`, 'POST', { rules: [{ path: '/categories', status: 503 }] });
    expect((await getJson(productUrl())).status).toBe(200);
    expect((await getJson(`${catalog}/categories`)).status).toBe(503);
    expect((await fetch(`${catalog}/__admin/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await getJson(`${catalog}/categories`)).status).toBe(200);

    for (const rules of [[{ status: 'x' }], [{ probability: 2 }], [{ path: 'no-slash' }], [{ bogus: true }], 'nope']) {
      const response = await sendJson<Problem>(`${catalog}/__admin/faults`, 'POST', { rules });
      expect(response.status, JSON.stringify(rules)).toBe(400);
    }
    await expect(sandbox.admin.setFaults('catalog', [{ status: 42 }])).rejects.toThrow(/invalid fault rules/);
  });

  it('createAdminClient drives the same routes', async () => {
    const client = createAdminClient(sandbox.urls);
    await client.setFaults('pricing', [{ status: 502, times: 1 }]);
    expect((await getJson(`${sandbox.urls.pricing}/prices/p-00001`)).status).toBe(502);
    expect((await getJson(`${sandbox.urls.pricing}/prices/p-00001`)).status).toBe(200);
    const stats = await client.stats('pricing');
    expect(stats.requests).toBe(2);
    expect(stats.byRoute).toEqual({ 'GET /prices/:productId': 2 });
    await client.setFaults('catalog', [{ status: 500 }]);
    await client.clearFaults();
    expect((await getJson(productUrl())).status).toBe(200);
    await client.resetStats('pricing');
    expect((await client.stats('pricing')).requests).toBe(0);
    await client.reset();
    expect((await client.stats('catalog')).requests).toBe(0);
  });
});

describe('shutdown', () => {
  it('close() is prompt with keep-alive sockets and a stalled response in flight', async () => {
    const other = await start({ services: ['catalog'] });
    const url = `${other.urls.catalog}/products/${KNOWN_IDS.product}`;
    expect((await getJson(url)).status).toBe(200);
    await other.admin.setFaults('catalog', [{ stallMs: 10_000 }]);
    const response = await fetch(url);
    const body = response.text().catch((error: unknown) => error);
    const { ms } = await timed(() => other.close());
    expect(ms).toBeLessThan(1000);
    expect(await body).toBeInstanceOf(Error);
  });
});
