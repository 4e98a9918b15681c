import { get as httpGet } from 'node:http';
import { connect } from 'node:net';

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

/** GET with node:http, accepting up to 1 MB of headers: the response's headers, body and when the headers were complete. */
function getWithLargeHeaders(
  url: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { maxHeaderSize: 1_000_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** A raw HTTP/1.1 exchange: every chunk as it arrived (ms since the request was written), until the server closes. */
function rawExchange(url: string): Promise<Array<{ at: number; text: string }>> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Array<{ at: number; text: string }> = [];
    const socket = connect(Number(target.port), target.hostname, () => {
      const started = performance.now();
      socket.on('data', (data: Buffer) => chunks.push({ at: performance.now() - started, text: data.toString('utf8') }));
      socket.write(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
    });
    socket.on('end', () => resolve(chunks));
    socket.on('error', reject);
  });
}

describe('fault injection: response headers', () => {
  it('headerBytes: the real response with about that many bytes of extra headers', async () => {
    const normal = await (await fetch(productUrl())).text();
    await sandbox.admin.setFaults('catalog', [{ headerBytes: 70_000 }]);
    const { status, headers, body } = await getWithLargeHeaders(productUrl());
    expect(status).toBe(200);
    expect(body).toBe(normal);
    expect(headers['x-sandbox-fault']).toBe('header-bytes');
    const padding = Object.entries(headers).filter(([name]) => name.startsWith('x-sandbox-padding-'));
    const bytes = padding.reduce((sum, [name, value]) => sum + name.length + 4 + String(value).length, 0);
    expect(bytes).toBeGreaterThanOrEqual(70_000);
    expect(bytes).toBeLessThan(70_100);
    // Over the 16 KiB default of Node's HTTP clients: fetch refuses the response.
    await expect(fetch(productUrl())).rejects.toThrow();
  });

  it('headerStallMs: the status line at once, the rest of the headers and the real body after the stall, then close', async () => {
    const normal = await (await fetch(productUrl())).text();
    await sandbox.admin.setFaults('catalog', [{ headerStallMs: 600, times: 1 }]);
    const chunks = await rawExchange(productUrl());
    const [first] = chunks;
    expect(first?.text).toMatch(/^HTTP\/1\.1 200 OK\r\nx-sandbox-fault: header-stall\r\n$/);
    expect(first?.at).toBeLessThan(400);
    const rest = chunks.slice(1);
    expect(rest[0]?.at).toBeGreaterThanOrEqual(590);
    const text = rest.map((c) => c.text).join('');
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^content-type: application\/json/im);
    expect(head).toMatch(/^connection: close$/im);
    expect(head).toContain(`content-length: ${Buffer.byteLength(normal)}`);
    expect(body).toBe(normal);
    // Counted once, and the rule is spent: the next request is normal.
    expect(await sandbox.admin.stats('catalog')).toMatchObject({ faultsApplied: 1 });
    expect((await getJson(productUrl())).status).toBe(200);
  });

  it('commitThenHangMs: refuses a rule that also replaces or alters the response', async () => {
    await expect(sandbox.admin.setFaults('catalog', [{ commitThenHangMs: 100, status: 503 }])).rejects.toThrow(
      "'commitThenHangMs' cannot be combined with 'status'",
    );
    await expect(sandbox.admin.setFaults('catalog', [{ commitThenHangMs: 100, headerBytes: 10 }])).rejects.toThrow(
      "'commitThenHangMs' cannot be combined with 'headerBytes'",
    );
  });

  it('headerStallMs: refuses a rule that also replaces the response', async () => {
    await expect(sandbox.admin.setFaults('catalog', [{ headerStallMs: 100, status: 503 }])).rejects.toThrow(
      /cannot be combined with 'status'/,
    );
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
