import { createServer } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { profileLatency } from '../src/http/server.ts';
import { KNOWN_IDS, SERVICE_NAMES, type Sandbox, type ServiceStats } from '../src/index.ts';
import { getJson, start, timed } from './support.ts';

describe('stats', () => {
  let sandbox: Sandbox<'catalog' | 'pricing'>;
  beforeAll(async () => {
    sandbox = await start({ services: ['catalog', 'pricing'] });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.admin.reset());

  it('counts requests per route pattern, including 404s and unmatched routes', async () => {
    const { catalog } = sandbox.urls;
    await getJson(`${catalog}/products/p-00001`);
    await getJson(`${catalog}/products/p-00002`);
    await getJson(`${catalog}/products/p-99999`);
    await getJson(`${catalog}/products?limit=2`);
    await getJson(`${catalog}/does-not-exist`);
    const stats = await sandbox.admin.stats('catalog');
    expect(stats.requests).toBe(5);
    expect(stats.byRoute).toEqual({ 'GET /products/:id': 3, 'GET /products': 1, 'GET *': 1 });
    expect((await sandbox.admin.stats('pricing')).requests).toBe(0);
  });

  it('does not count /health, /openapi.json and admin calls', async () => {
    const { catalog } = sandbox.urls;
    await getJson(`${catalog}/health`);
    await getJson(`${catalog}/openapi.json`);
    await getJson(`${catalog}/__admin/stats`);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(0);
  });

  it('records the lower-cased headers of the last request (over HTTP too)', async () => {
    const { pricing } = sandbox.urls;
    await getJson(`${pricing}/prices/${KNOWN_IDS.product}`, { headers: { 'X-Request-Id': 'first' } });
    await getJson(`${pricing}/prices?ids=p-00001,p-00002`, {
      headers: {
        'X-Request-Id': 'req-123',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        Authorization: 'Bearer secret',
      },
    });
    const { status, body } = await getJson<ServiceStats>(`${pricing}/__admin/stats`);
    expect(status).toBe(200);
    expect(body.requests).toBe(2);
    expect(body.byRoute).toEqual({ 'GET /prices/:productId': 1, 'GET /prices': 1 });
    expect(body.lastHeaders['x-request-id']).toBe('req-123');
    expect(body.lastHeaders['traceparent']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(body.lastHeaders['authorization']).toBe('Bearer secret');
    expect(Object.keys(body.lastHeaders).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('resets stats via the API and over HTTP', async () => {
    const { catalog } = sandbox.urls;
    await getJson(`${catalog}/categories`);
    await sandbox.admin.resetStats('catalog');
    expect(await sandbox.admin.stats('catalog')).toEqual({ requests: 0, byRoute: {}, lastHeaders: {}, faultsApplied: 0 });
    await getJson(`${catalog}/categories`);
    expect((await fetch(`${catalog}/__admin/stats/reset`, { method: 'POST' })).status).toBe(204);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(0);
  });
});

describe('profiles', () => {
  it('define the base latency of every service', () => {
    for (const service of SERVICE_NAMES) {
      const recs = service === 'recommendations';
      expect(profileLatency('test', service)(), service).toBe(recs ? 60 : 0);
      expect(profileLatency('bench', service)(), service).toBe(0);
      expect(profileLatency('bench-20ms', service)(), service).toBe(20);
      for (let i = 0; i < 50; i++) {
        const ms = profileLatency('dev', service)();
        expect(ms).toBeGreaterThanOrEqual(recs ? 65 : 5);
        expect(ms).toBeLessThanOrEqual(recs ? 85 : 25);
      }
    }
  });

  it('test: recommendations answer after >= 60 ms; exempt routes are not delayed', async () => {
    const sandbox = await start({ services: ['recommendations'], profile: 'test' });
    try {
      expect(sandbox.profile).toBe('test');
      const recs = await timed(() => getJson(`${sandbox.urls.recommendations}/recommendations?productId=p-00001`));
      expect(recs.result.status).toBe(200);
      expect(recs.ms).toBeGreaterThanOrEqual(58);
      const health = await timed(() => getJson(`${sandbox.urls.recommendations}/health`));
      expect(health.ms).toBeLessThan(recs.ms);
    } finally {
      await sandbox.close();
    }
  });

  it('bench-20ms and dev delay every API call', async () => {
    const slow = await start({ services: ['catalog', 'recommendations'], profile: 'bench-20ms' });
    const dev = await start({ services: ['pricing'], profile: 'dev' });
    try {
      expect((await timed(() => getJson(`${slow.urls.catalog}/products/p-00001`))).ms).toBeGreaterThanOrEqual(19);
      expect((await timed(() => getJson(`${slow.urls.recommendations}/recommendations`))).ms).toBeGreaterThanOrEqual(19);
      expect((await timed(() => getJson(`${dev.urls.pricing}/prices/p-00001`))).ms).toBeGreaterThanOrEqual(4);
    } finally {
      await Promise.all([slow.close(), dev.close()]);
    }
  });

  it('binds the default layout when a base port is given (base + offset)', async () => {
    const basePort = await freeBasePort();
    const sandbox = await start({ basePort, services: ['catalog', 'orders'] });
    try {
      expect(sandbox.urls).toEqual({ catalog: `http://127.0.0.1:${basePort + 1}`, orders: `http://127.0.0.1:${basePort + 8}` });
      // A second sandbox on the same ports fails cleanly (and releases what it bound).
      await expect(start({ basePort, services: ['catalog'] })).rejects.toThrow(/sandbox failed to start/);
    } finally {
      await sandbox.close();
    }
  });
});

/**
 * A base port whose whole layout (base … base + 8) is free right now, below Linux's ephemeral range
 * (32768+) so outgoing connections of concurrently running suites cannot be holding one of them.
 */
async function freeBasePort(): Promise<number> {
  const canBind = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 10 * Math.floor(Math.random() * 1_200);
    const ports = Array.from({ length: 9 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(canBind))).every(Boolean)) return base;
  }
  throw new Error('no free port layout found between 20000 and 32000');
}
