import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CoreModule, createPlatformApp, defineApp, PlatformError } from '@bff/core';
import { CatalogApi, MAX_CARDS, ProductCards, retailEnv, RetailModule, type RetailService } from '@bff/retail';
import { isUpstreamError } from '@bff/upstream';

// Specs are neither built nor shipped: this one starts the simulated upstreams in-process, like test/support/stack.ts.
import { KNOWN_IDS, startSandbox, type Price, type Product, type Sandbox } from '../sandbox/src/index.ts';
import { appEnv, upstreamEnvFor } from './support/stack.js';

const CARD_SERVICES: RetailService[] = ['catalog', 'pricing', 'inventory'];

const TEST_APP = defineApp({
  name: 'product-cards-spec',
  title: 'ProductCards spec',
  description: 'RetailModule with catalog, pricing and inventory, against the real sandbox.',
  version: '0.0.0',
  defaultPort: 0,
  env: [retailEnv(CARD_SERVICES)],
});

@Module({ imports: [CoreModule.forRoot({ app: TEST_APP }), RetailModule.forRoot(CARD_SERVICES)] })
class CardsModule {}

const CATALOG_ONLY_APP = { ...TEST_APP, env: [retailEnv(['catalog'])] };

@Module({ imports: [CoreModule.forRoot({ app: CATALOG_ONLY_APP }), RetailModule.forRoot(['catalog'])] })
class CatalogOnlyModule {}

let sandbox: Sandbox;
let app: NestFastifyApplication;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  sandbox = await startSandbox({ basePort: 0, profile: 'test' });
  env = appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...upstreamEnvFor(sandbox) });
  app = await createPlatformApp(CardsModule, TEST_APP, { env });
});

afterAll(async () => {
  await app?.close();
  await sandbox?.close();
});

afterEach(() => sandbox.admin.reset());

const cards = (): ProductCards => app.get(ProductCards);

async function raw<T>(service: RetailService, path: string): Promise<T> {
  const res = await fetch(`${sandbox.urls[service]}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Requests each card service received since the last reset, by route. */
async function upstreamCalls(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const service of CARD_SERVICES) {
    for (const [route, count] of Object.entries((await sandbox.admin.stats(service)).byRoute)) counts[`${service} ${route}`] = count;
  }
  return counts;
}

const ids = (n: number, from = 1): string[] => Array.from({ length: n }, (_, i) => `p-${String(from + i).padStart(5, '0')}`);

describe('CatalogApi.lookupProducts', () => {
  it('returns the known products in request order in one call and lists the unknown ids', async () => {
    await sandbox.admin.resetStats();
    const { found, missing } = await app
      .get(CatalogApi)
      .lookupProducts([KNOWN_IDS.productAlt, KNOWN_IDS.productUnknown, KNOWN_IDS.product, KNOWN_IDS.productAlt]);
    expect(found.map((p) => p.id)).toEqual([KNOWN_IDS.productAlt, KNOWN_IDS.product]);
    expect(found[1]).toEqual(await raw<Product>('catalog', `/products/${KNOWN_IDS.product}`));
    expect(missing).toEqual([KNOWN_IDS.productUnknown]);
    expect((await sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /products': 1, 'GET /products/:id': 1 });
  });

  it('makes no call for no ids and refuses more than the bulk limit', async () => {
    await sandbox.admin.resetStats();
    expect(await app.get(CatalogApi).lookupProducts([])).toEqual({ found: [], missing: [] });
    await expect(app.get(CatalogApi).lookupProducts(ids(101))).rejects.toThrow(RangeError);
    expect((await sandbox.admin.stats('catalog')).requests).toBe(0);
  });
});

describe('ProductCards', () => {
  it('builds cards for ids with one catalog lookup, one bulk price and one bulk stock call', async () => {
    const wanted = [
      KNOWN_IDS.product,
      KNOWN_IDS.productOutOfStock,
      KNOWN_IDS.productNoPrice,
      KNOWN_IDS.productNoStock,
      KNOWN_IDS.productUnknown,
    ];
    await sandbox.admin.resetStats();
    const list = await cards().forIds(wanted);
    expect(await upstreamCalls()).toEqual({ 'catalog GET /products': 1, 'pricing GET /prices': 1, 'inventory GET /stock': 1 });

    expect(list.missing).toEqual([KNOWN_IDS.productUnknown]);
    expect(list.degraded).toEqual([]);
    expect(list.cards.map((card) => card.id)).toEqual(wanted.slice(0, 4));
    const product = await raw<Product>('catalog', `/products/${KNOWN_IDS.product}`);
    const price = await raw<Price>('pricing', `/prices/${KNOWN_IDS.product}`);
    expect(list.cards[0]).toEqual({
      id: product.id,
      name: product.name,
      thumbnail: product.thumbnailUrl,
      price: { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct },
      inStock: true,
    });
    // A product the pricing or inventory service does not know has no price / stock: not a degraded section.
    expect(list.cards[1]).toMatchObject({ id: KNOWN_IDS.productOutOfStock, inStock: false });
    expect(list.cards[2]).toMatchObject({ id: KNOWN_IDS.productNoPrice, price: null, inStock: true });
    expect(list.cards[3]).toMatchObject({ id: KNOWN_IDS.productNoStock, inStock: null });
    expect(list.cards[3]?.price).not.toBeNull();
  });

  it('keeps the call count at three for a long list', async () => {
    await sandbox.admin.resetStats();
    const list = await cards().forIds(ids(MAX_CARDS, 101));
    expect(list.cards).toHaveLength(MAX_CARDS);
    expect(await upstreamCalls()).toEqual({ 'catalog GET /products': 1, 'pricing GET /prices': 1, 'inventory GET /stock': 1 });
    await expect(cards().forIds(ids(MAX_CARDS + 1))).rejects.toThrow(RangeError);
  });

  it('enriches products the caller already has with two bulk calls, in their order', async () => {
    const products = [await raw<Product>('catalog', '/products/p-00010'), await raw<Product>('catalog', '/products/p-00005')];
    await sandbox.admin.resetStats();
    const list = await cards().forProducts(products, { section: 'items' });
    expect(await upstreamCalls()).toEqual({ 'pricing GET /prices': 1, 'inventory GET /stock': 1 });
    expect(list.cards.map((card) => card.id)).toEqual(['p-00010', 'p-00005']);
    expect(list.cards.every((card) => card.price !== null && card.inStock !== null)).toBe(true);
    expect(await cards().forProducts([])).toEqual({ cards: [], missing: [], degraded: [] });
  });

  it('degrades the price of every card when pricing fails, and names the section after the list', async () => {
    await sandbox.admin.setFaults('pricing', [{ status: 503 }]);
    const list = await cards().forIds([KNOWN_IDS.product, KNOWN_IDS.productAlt], { section: 'featured' });
    expect(list.degraded).toEqual([{ section: 'featured-price', reason: 'unavailable' }]);
    expect(list.cards.map((card) => card.price)).toEqual([null, null]);
    expect(list.cards.map((card) => card.inStock)).toEqual([true, true]);
    expect(list.cards[0]?.name).toBe((await raw<Product>('catalog', `/products/${KNOWN_IDS.product}`)).name);
  });

  it('degrades stock on a slow inventory within its budget, and price on a pricing 500', async () => {
    await sandbox.admin.setFaults('inventory', [{ latencyMs: 1_500 }]);
    await sandbox.admin.setFaults('pricing', [{ status: 500 }]);
    const started = performance.now();
    const list = await cards().forIds([KNOWN_IDS.product]);
    expect(performance.now() - started).toBeLessThan(1_200);
    expect(list.degraded.map((entry) => entry.section).sort()).toEqual(['cards-price', 'cards-stock']);
    expect(list.degraded.find((entry) => entry.section === 'cards-stock')?.reason).toBe('timeout');
    expect(list.cards).toEqual([expect.objectContaining({ id: KNOWN_IDS.product, price: null, inStock: null })]);
  });

  it('rejects with the catalog failure as a coded error: the products are required', async () => {
    await sandbox.admin.setFaults('catalog', [{ status: 503 }]);
    const error: unknown = await cards()
      .forIds([KNOWN_IDS.product])
      .then(
        () => new Error('expected forIds to fail'),
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PlatformError);
    expect(isUpstreamError(error) && error.upstream).toBe('catalog');
  });

  it('stops when the caller aborts (a page section running out of budget)', async () => {
    await sandbox.admin.setFaults('catalog', [{ latencyMs: 2_000 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    await expect(cards().forIds([KNOWN_IDS.product], { signal: controller.signal })).rejects.toBeInstanceOf(PlatformError);
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('is provided only to apps that declare catalog, pricing and inventory', async () => {
    const catalogOnly = await createPlatformApp(CatalogOnlyModule, CATALOG_ONLY_APP, { env });
    try {
      expect(catalogOnly.get(CatalogApi)).toBeInstanceOf(CatalogApi);
      expect(() => catalogOnly.get(ProductCards)).toThrow();
    } finally {
      await catalogOnly.close();
    }
  });
});
