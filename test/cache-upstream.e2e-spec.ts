import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CacheService, HttpResponseCache } from '@bff/cache';
import { UPSTREAM_RESPONSE_CACHE, type TransportResponse } from '@bff/upstream';

import { KNOWN_IDS, type Sandbox, type ServiceName } from '../sandbox/src/index.ts';
import { CACHE_TEST_APP, CacheTestAppModule, HTTP_CACHE_TEST_APP, HttpCacheTestAppModule } from './support/cache-test-app.js';
import { startCacheApp, startTestSandbox, type CacheApp } from './support/cache.js';

/** A real network call to the sandbox, as a transport would make it (conditional headers included). */
function network(sandbox: Sandbox, service: ServiceName, path: string, seen: Record<string, string>[] = []) {
  return async (conditional: Readonly<Record<string, string>>): Promise<TransportResponse> => {
    seen.push({ ...conditional });
    const res = await fetch(`${sandbox.urls[service]}${path}`, { headers: { accept: 'application/json', ...conditional } });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name] = value));
    return { status: res.status, headers, body: await res.text() };
  };
}

describe('upstream HTTP cache (UpstreamResponseCache) against the real sandbox', () => {
  let sandbox: Sandbox;
  let app: CacheApp;
  let http: HttpResponseCache;
  let cache: CacheService;
  let offsetMs = 0;
  beforeAll(async () => {
    // Stand-in callers (x-test-user) carry no real token: the cache's partitioning is under test, not authorization.
    sandbox = await startTestSandbox({ authz: 'off' });
    app = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox);
    http = app.app.get(HttpResponseCache);
    cache = app.app.get(CacheService);
    cache.clock = () => Date.now() + offsetMs;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });
  beforeEach(() => {
    offsetMs = 0;
    http.resetCounters();
  });
  afterEach(() => sandbox.admin.reset());

  const requests = async (service: ServiceName) => (await sandbox.admin.stats(service)).requests;

  it('is what CacheModule provides under UPSTREAM_RESPONSE_CACHE', () => {
    expect(app.app.get(UPSTREAM_RESPONSE_CACHE)).toBe(http);
  });

  it('honours max-age: a fresh entry answers without the network', async () => {
    const call = { upstream: 'catalog', path: `/products/${KNOWN_IDS.product}`, partition: undefined };
    const first = await http.fetch(call, network(sandbox, 'catalog', call.path));
    expect(first.status).toBe(200);
    const second = await http.fetch(call, network(sandbox, 'catalog', call.path));
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers.age).toMatch(/^\d+$/);
    expect(await requests('catalog')).toBe(1);
    expect(http.counters()).toMatchObject({ hits: 1, misses: 1, revalidations: 0, stores: 1 });
  });

  it('revalidates a no-cache response with If-None-Match; the 304 refreshes the entry and counts as a hit', async () => {
    const path = `/stock/${KNOWN_IDS.product}`;
    const call = { upstream: 'inventory', path, partition: undefined };
    const seen: Record<string, string>[] = [];
    const first = await http.fetch(call, network(sandbox, 'inventory', path, seen));
    expect(first.headers['cache-control']).toBe('no-cache');
    const second = await http.fetch(call, network(sandbox, 'inventory', path, seen));
    expect(seen).toEqual([{}, { 'if-none-match': first.headers.etag }]);
    expect((await sandbox.admin.stats('inventory')).lastHeaders['if-none-match']).toBe(first.headers.etag);
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(http.counters()).toMatchObject({ hits: 1, misses: 1, revalidations: 1 });
  });

  it('goes stale after max-age and revalidates then (pricing: max-age=5)', async () => {
    const path = `/prices/${KNOWN_IDS.product}`;
    const call = { upstream: 'pricing', path, partition: undefined };
    const seen: Record<string, string>[] = [];
    await http.fetch(call, network(sandbox, 'pricing', path, seen));
    await http.fetch(call, network(sandbox, 'pricing', path, seen));
    expect(seen).toHaveLength(1);
    offsetMs = 6_000;
    const revalidated = await http.fetch(call, network(sandbox, 'pricing', path, seen));
    expect(revalidated.status).toBe(200);
    expect(seen[1]['if-none-match']).toMatch(/^"/);
    // The 304 made it fresh for another max-age.
    await http.fetch(call, network(sandbox, 'pricing', path, seen));
    expect(seen).toHaveLength(2);
    expect(http.counters()).toMatchObject({ hits: 3, misses: 1, revalidations: 1 });
  });

  it('stores private responses only under the caller partition, never shared, never without a partition', async () => {
    const path = `/customers/${KNOWN_IDS.customer}`;
    const fetchAs = (partition: string | undefined) =>
      http.fetch({ upstream: 'customers', path, partition }, network(sandbox, 'customers', path));
    expect((await fetchAs(undefined)).headers['cache-control']).toBe('private, max-age=30');
    await fetchAs(undefined);
    expect(await requests('customers')).toBe(2); // no partition: not stored
    await fetchAs('session:alice');
    await fetchAs('session:alice');
    expect(await requests('customers')).toBe(3); // alice's own copy
    await fetchAs('session:bob');
    expect(await requests('customers')).toBe(4); // never alice's
    await fetchAs(undefined);
    expect(await requests('customers')).toBe(5); // nor anonymous callers'
    expect(http.counters()).toMatchObject({ hits: 1, misses: 5 });
  });

  it('never stores no-store responses nor errors', async () => {
    const cart = `/carts/${KNOWN_IDS.cart}`;
    for (let i = 0; i < 2; i++)
      expect(
        (await http.fetch({ upstream: 'carts', path: cart, partition: 'session:alice' }, network(sandbox, 'carts', cart))).status,
      ).toBe(200);
    expect(await requests('carts')).toBe(2);
    const missing = `/products/${KNOWN_IDS.productUnknown}`;
    for (let i = 0; i < 2; i++)
      expect(
        (await http.fetch({ upstream: 'catalog', path: missing, partition: undefined }, network(sandbox, 'catalog', missing))).status,
      ).toBe(404);
    expect(await requests('catalog')).toBe(2);
    expect(http.counters()).toMatchObject({ hits: 0, misses: 4, stores: 0, notStored: 4 });
  });

  it('shares one network call between concurrent identical misses', async () => {
    const path = `/products/${KNOWN_IDS.productAlt}`;
    await sandbox.admin.setFaults('catalog', [{ path, latencyMs: 150 }]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => http.fetch({ upstream: 'catalog', path, partition: undefined }, network(sandbox, 'catalog', path))),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await requests('catalog')).toBe(1);
  });
});

describe('upstream HTTP cache through the real UpstreamClient (httpCache: true)', () => {
  let sandbox: Sandbox;
  let app: CacheApp;
  let http: HttpResponseCache;
  beforeAll(async () => {
    // Stand-in callers (x-test-user) carry no real token: the cache's partitioning is under test, not authorization.
    sandbox = await startTestSandbox({ authz: 'off' });
    app = await startCacheApp(HttpCacheTestAppModule, HTTP_CACHE_TEST_APP, sandbox);
    http = app.app.get(HttpResponseCache);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });
  beforeEach(() => http.resetCounters());
  afterEach(() => sandbox.admin.reset());

  it('answers repeated GETs from the cache and revalidates no-cache ones with If-None-Match', async () => {
    const product = async () => (await fetch(`${app.url}/u/products/${KNOWN_IDS.product}`)).json();
    expect((await product()).id).toBe(KNOWN_IDS.product);
    expect((await product()).id).toBe(KNOWN_IDS.product);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(1);

    const stock = await fetch(`${app.url}/u/stock/${KNOWN_IDS.product}`);
    const body = await stock.json();
    const again = await fetch(`${app.url}/u/stock/${KNOWN_IDS.product}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);
    const inventory = await sandbox.admin.stats('inventory');
    expect(inventory.requests).toBe(2);
    expect(inventory.lastHeaders['if-none-match']).toMatch(/^"/);
    expect(http.counters()).toMatchObject({ hits: 2, misses: 2, revalidations: 1 });
  });

  it('partitions private upstream responses by the verified caller (relay upstreams)', async () => {
    const as = (user: string) => fetch(`${app.url}/u/customers/${KNOWN_IDS.customer}`, { headers: { 'x-test-user': user } });
    expect((await as('alice')).status).toBe(200);
    expect((await as('alice')).status).toBe(200);
    expect((await sandbox.admin.stats('customers')).requests).toBe(1);
    expect((await as('bob')).status).toBe(200);
    expect((await sandbox.admin.stats('customers')).requests).toBe(2);
    for (let i = 0; i < 2; i++) expect((await fetch(`${app.url}/u/anonymous-customers/${KNOWN_IDS.customer}`)).status).toBe(200);
    expect((await sandbox.admin.stats('customers')).requests).toBe(4);
  });
});
