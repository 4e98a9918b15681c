import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CoreModule, createPlatformApp, defineApp, PlatformError } from '@bff/core';
import {
  CartsApi,
  CatalogApi,
  CustomersApi,
  InventoryApi,
  OrderRejectedError,
  OrdersApi,
  PricingApi,
  RecommendationsApi,
  retailEnv,
  RetailModule,
  ReviewsApi,
  type RetailService,
} from '@bff/retail';
import { isUpstreamError, UPSTREAM_TOKEN_SOURCE, type UpstreamError, type UpstreamTokenSource } from '@bff/upstream';

// Specs are neither built nor shipped: this one starts the simulated upstreams in-process, like test/support/stack.ts.
import { KNOWN_IDS, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { appEnv, upstreamEnvFor } from './support/stack.js';

/** Every retail service (a service missing here does not compile). */
const ALL_SERVICES = Object.keys({
  catalog: true,
  pricing: true,
  inventory: true,
  reviews: true,
  recommendations: true,
  customers: true,
  carts: true,
  orders: true,
} satisfies Record<RetailService, true>) as RetailService[];
const RELAY_TOKEN = 'relay-token-of-the-caller';

/** Stands in for libs/auth: the caller's token, relayed to upstreams declared `auth: 'relay'`. */
const tokenSource: UpstreamTokenSource = {
  relayToken: () => RELAY_TOKEN,
  clientCredentialsToken: () => Promise.reject(new Error('no retail upstream uses client credentials')),
};

@Global()
@Module({ providers: [{ provide: UPSTREAM_TOKEN_SOURCE, useValue: tokenSource }], exports: [UPSTREAM_TOKEN_SOURCE] })
class RelayTokenModule {}

const TEST_APP = defineApp({
  name: 'retail-spec',
  title: 'Retail adapters spec',
  description: 'RetailModule with every retail service, against the real sandbox.',
  version: '0.0.0',
  defaultPort: 0,
  env: [retailEnv(ALL_SERVICES)],
});

@Module({ imports: [RelayTokenModule, CoreModule.forRoot({ app: TEST_APP }), RetailModule.forRoot(ALL_SERVICES)] })
class AllServicesModule {}

const PARTIAL_APP = { ...TEST_APP, env: [retailEnv(['catalog', 'orders'])] };

@Module({ imports: [RelayTokenModule, CoreModule.forRoot({ app: PARTIAL_APP }), RetailModule.forRoot(['catalog', 'orders'])] })
class CatalogAndOrdersModule {}

let sandbox: Sandbox;
/** The adapters' app (not listening: the specs call the adapters it provides). */
let moduleRef: NestFastifyApplication;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  // The adapters' mapping of every answer, across customers (unknown ids included), with a stand-in
  // relay token: the services' authorization is sandbox/test/authz.spec.ts's and the apps' suites'.
  sandbox = await startSandbox({ basePort: 0, profile: 'test', authz: 'off' });
  env = appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...upstreamEnvFor(sandbox) });
  moduleRef = await createPlatformApp(AllServicesModule, TEST_APP, { env });
});

afterAll(async () => {
  await moduleRef?.close();
  await sandbox?.close();
});

/** The sandbox's own JSON answer, to compare the adapters' results with. */
async function raw<T = unknown>(service: RetailService, path: string): Promise<T> {
  const res = await fetch(`${sandbox.urls[service]}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Awaits a rejection and checks it is a coded UpstreamError (a PlatformError, never an HTTP exception). */
async function upstreamFailure(
  call: Promise<unknown>,
  expected: { upstream: string; status?: number; kind: string },
): Promise<UpstreamError> {
  const error: unknown = await call.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  if (!isUpstreamError(error)) throw new Error(`not an UpstreamError: ${String(error)}`);
  expect(error.upstream).toBe(expected.upstream);
  expect(error.kind).toBe(expected.kind);
  if (expected.status !== undefined) {
    expect(error.failure).toBe('http_status');
    expect(error.upstreamStatus).toBe(expected.status);
  }
  return error;
}

describe('RetailModule', () => {
  it('provides one adapter per declared service', () => {
    for (const adapter of [CatalogApi, PricingApi, InventoryApi, ReviewsApi, RecommendationsApi, CustomersApi, CartsApi, OrdersApi]) {
      expect(moduleRef.get(adapter)).toBeInstanceOf(adapter);
    }
  });

  it('registers only the adapters of the services an app lists', async () => {
    const partial = await createPlatformApp(CatalogAndOrdersModule, PARTIAL_APP, { env });
    try {
      expect(partial.get(CatalogApi)).toBeInstanceOf(CatalogApi);
      expect(partial.get(OrdersApi)).toBeInstanceOf(OrdersApi);
      expect(() => partial.get(CartsApi)).toThrow();
      expect(() => partial.get(PricingApi)).toThrow();
    } finally {
      await partial.close();
    }
  });
});

describe('CatalogApi', () => {
  const api = (): CatalogApi => moduleRef.get(CatalogApi);

  it('getProduct returns the product as the catalog serves it', async () => {
    const product = await api().getProduct(KNOWN_IDS.product);
    expect(product).toEqual(await raw('catalog', `/products/${KNOWN_IDS.product}`));
    expect(product.id).toBe(KNOWN_IDS.product);
    expect(product.categoryId).toMatch(/^cat-\d{2}$/);
    expect(product.images.length).toBeGreaterThan(0);
    expect(new URL(product.thumbnailUrl).protocol).toBe('https:');
  });

  it('getProduct of an unknown id rejects with a not_found UpstreamError', async () => {
    const error = await upstreamFailure(api().getProduct(KNOWN_IDS.productUnknown), {
      upstream: 'catalog',
      status: 404,
      kind: 'not_found',
    });
    expect(error.code).toBe('NOT_FOUND');
  });

  it('getProducts splits found products from unknown ids', async () => {
    const { found, missing } = await api().getProducts([KNOWN_IDS.product, KNOWN_IDS.productUnknown, KNOWN_IDS.productAlt]);
    expect(found.map((p) => p.id)).toEqual([KNOWN_IDS.product, KNOWN_IDS.productAlt]);
    expect(missing).toEqual([KNOWN_IDS.productUnknown]);
  });

  it('listProducts pages with an opaque cursor', async () => {
    const first = await api().listProducts({ limit: 3 });
    expect(first.items.map((p) => p.id)).toEqual(['p-00001', 'p-00002', 'p-00003']);
    expect(first.total).toBe(KNOWN_IDS.productCount);
    expect(typeof first.nextCursor).toBe('string');
    const second = await api().listProducts({ limit: 3, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((p) => p.id)).toEqual(['p-00004', 'p-00005', 'p-00006']);
    const last = await api().listProducts({ limit: 100, cursor: undefined, q: undefined, category: KNOWN_IDS.leafCategory });
    expect(last.items.length).toBe(last.total);
    expect(last.nextCursor).toBeNull();
    expect(last.items.every((p) => p.categoryId === KNOWN_IDS.leafCategory)).toBe(true);
  });

  it('listProducts filters by name and rejects an invalid cursor', async () => {
    const { name } = await api().getProduct(KNOWN_IDS.product);
    const word = name.split(' ')[0].toLowerCase();
    const page = await api().listProducts({ q: word, limit: 100 });
    expect(page.items.map((p) => p.id)).toContain(KNOWN_IDS.product);
    expect(page.items.every((p) => p.name.toLowerCase().includes(word))).toBe(true);
    await upstreamFailure(api().listProducts({ cursor: 'not-a-cursor' }), { upstream: 'catalog', status: 400, kind: 'bad_gateway' });
  });

  it('listCategories and getCategory describe the category tree', async () => {
    const categories = await api().listCategories();
    expect(categories).toHaveLength(KNOWN_IDS.categoryCount);
    expect(categories.filter((c) => c.parentId === null)).toHaveLength(6);
    const leaf = await api().getCategory(KNOWN_IDS.leafCategory);
    expect(leaf.parentId).toBe(KNOWN_IDS.category);
    expect(categories).toContainEqual(leaf);
    expect((await api().getCategory(KNOWN_IDS.category)).parentId).toBeNull();
    await upstreamFailure(api().getCategory(KNOWN_IDS.categoryUnknown), { upstream: 'catalog', status: 404, kind: 'not_found' });
  });
});

describe('PricingApi', () => {
  const api = (): PricingApi => moduleRef.get(PricingApi);

  it('getPrice returns the price in minor units', async () => {
    const price = await api().getPrice(KNOWN_IDS.product);
    expect(price).toEqual(await raw('pricing', `/prices/${KNOWN_IDS.product}`));
    expect(price.currency).toBe('EUR');
    expect(Number.isInteger(price.amount)).toBe(true);
    expect(price.amount).toBeLessThanOrEqual(price.listAmount);
  });

  it('getPrice of a product without a price rejects with not_found', async () => {
    await upstreamFailure(api().getPrice(KNOWN_IDS.productNoPrice), { upstream: 'pricing', status: 404, kind: 'not_found' });
  });

  it('getPrices returns known prices in request order and makes no call for no ids', async () => {
    const prices = await api().getPrices([KNOWN_IDS.productAlt, KNOWN_IDS.productNoPrice, KNOWN_IDS.product]);
    expect(prices.map((p) => p.productId)).toEqual([KNOWN_IDS.productAlt, KNOWN_IDS.product]);
    expect(prices[1]).toEqual(await api().getPrice(KNOWN_IDS.product));
    const before = (await sandbox.admin.stats('pricing')).requests;
    expect(await api().getPrices([])).toEqual([]);
    expect((await sandbox.admin.stats('pricing')).requests).toBe(before);
  });
});

describe('InventoryApi', () => {
  const api = (): InventoryApi => moduleRef.get(InventoryApi);

  it('getStock reports an out-of-stock product with its restock date', async () => {
    const stock = await api().getStock(KNOWN_IDS.productOutOfStock);
    expect(stock).toEqual(await raw('inventory', `/stock/${KNOWN_IDS.productOutOfStock}`));
    expect(stock).toMatchObject({ productId: KNOWN_IDS.productOutOfStock, available: 0, inStock: false });
    expect(stock.restockDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await api().getStock(KNOWN_IDS.product)).inStock).toBe(true);
  });

  it('getStock of a product without a stock record rejects with not_found', async () => {
    await upstreamFailure(api().getStock(KNOWN_IDS.productNoStock), { upstream: 'inventory', status: 404, kind: 'not_found' });
  });

  it('getStocks omits products without a stock record', async () => {
    const stocks = await api().getStocks([KNOWN_IDS.product, KNOWN_IDS.productNoStock, KNOWN_IDS.productOutOfStock]);
    expect(stocks.map((s) => s.productId)).toEqual([KNOWN_IDS.product, KNOWN_IDS.productOutOfStock]);
    expect(await api().getStocks([])).toEqual([]);
  });
});

describe('ReviewsApi', () => {
  const api = (): ReviewsApi => moduleRef.get(ReviewsApi);

  it('listReviews returns one page, newest first, consistent with the rating', async () => {
    const page = await api().listReviews(KNOWN_IDS.product, 1, 5);
    expect(page).toEqual(await raw('reviews', `/products/${KNOWN_IDS.product}/reviews?page=1&pageSize=5`));
    expect(page).toMatchObject({ page: 1, pageSize: 5 });
    expect(page.items.length).toBe(Math.min(5, page.total));
    expect(page.items.every((r) => r.productId === KNOWN_IDS.product && r.rating >= 1 && r.rating <= 5)).toBe(true);
    const dates = page.items.map((r) => r.createdAt);
    expect([...dates].sort().reverse()).toEqual(dates);
    const rating = await api().getRating(KNOWN_IDS.product);
    expect(rating.count).toBe(page.total);
    expect(Object.values(rating.histogram).reduce((a, b) => a + b, 0)).toBe(rating.count);
  });

  it('getRating of a product without reviews is zero', async () => {
    expect(await api().getRating(KNOWN_IDS.productNoReviews)).toEqual({
      productId: KNOWN_IDS.productNoReviews,
      average: 0,
      count: 0,
      histogram: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    });
  });

  it('rejects an unknown product with not_found', async () => {
    await upstreamFailure(api().listReviews(KNOWN_IDS.productUnknown), { upstream: 'reviews', status: 404, kind: 'not_found' });
    await upstreamFailure(api().getRating(KNOWN_IDS.productUnknown), { upstream: 'reviews', status: 404, kind: 'not_found' });
  });
});

describe('RecommendationsApi', () => {
  const api = (): RecommendationsApi => moduleRef.get(RecommendationsApi);

  it('forProduct recommends other products of the category, best first', async () => {
    const product = await moduleRef.get(CatalogApi).getProduct(KNOWN_IDS.product);
    const recommendations = await api().forProduct(KNOWN_IDS.product, product.categoryId, 6);
    expect(recommendations).toHaveLength(6);
    expect(recommendations.map((r) => r.productId)).not.toContain(KNOWN_IDS.product);
    const scores = recommendations.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const { found } = await moduleRef.get(CatalogApi).getProducts(recommendations.map((r) => r.productId));
    expect(found.every((p) => p.categoryId === product.categoryId)).toBe(true);
  });

  it('listRecommendations covers the popular-overall and per-category modes', async () => {
    const overall = await api().listRecommendations();
    expect(overall).toEqual((await raw<{ items: unknown[] }>('recommendations', '/recommendations')).items);
    expect(overall).toHaveLength(5);
    const inCategory = await api().listRecommendations({ categoryId: KNOWN_IDS.leafCategory, limit: 3 });
    expect(inCategory).toHaveLength(3);
    await upstreamFailure(api().listRecommendations({ categoryId: KNOWN_IDS.categoryUnknown }), {
      upstream: 'recommendations',
      status: 404,
      kind: 'not_found',
    });
  });
});

describe('CustomersApi', () => {
  const api = (): CustomersApi => moduleRef.get(CustomersApi);

  it('getCustomer returns the profile, and relays the caller token', async () => {
    const customer = await api().getCustomer(KNOWN_IDS.customer);
    expect(customer).toMatchObject({ id: KNOWN_IDS.customer, email: KNOWN_IDS.customerEmail, tier: 'gold' });
    expect((await sandbox.admin.stats('customers')).lastHeaders['authorization']).toBe(`Bearer ${RELAY_TOKEN}`);
  });

  it('getCustomer of an unknown id rejects with not_found', async () => {
    await upstreamFailure(api().getCustomer(KNOWN_IDS.customerUnknown), { upstream: 'customers', status: 404, kind: 'not_found' });
  });
});

describe('CartsApi', () => {
  const api = (): CartsApi => moduleRef.get(CartsApi);
  beforeEach(() => sandbox.admin.reset());

  it('getCart returns a seeded cart and relays the caller token', async () => {
    const cart = await api().getCart(KNOWN_IDS.cart);
    expect((await sandbox.admin.stats('carts')).lastHeaders['authorization']).toBe(`Bearer ${RELAY_TOKEN}`);
    await moduleRef.get(CatalogApi).getProduct(KNOWN_IDS.product);
    expect((await sandbox.admin.stats('catalog')).lastHeaders['authorization']).toBeUndefined();
    expect(cart).toEqual(await raw('carts', `/carts/${KNOWN_IDS.cart}`));
    expect(cart.customerId).toBe(KNOWN_IDS.customer);
    expect(cart.items.length).toBeGreaterThan(0);
  });

  it('getCart of a cart that does not exist yet rejects with not_found', async () => {
    await upstreamFailure(api().getCart(KNOWN_IDS.cartNotCreated), { upstream: 'carts', status: 404, kind: 'not_found' });
  });

  it('addItem adds a line, increments it, and sends the idempotency key', async () => {
    const added = await api().addItem(KNOWN_IDS.emptyCart, { productId: KNOWN_IDS.product, quantity: 2 }, { idempotencyKey: 'add-1' });
    expect(added.items).toEqual([{ productId: KNOWN_IDS.product, quantity: 2 }]);
    expect((await sandbox.admin.stats('carts')).lastHeaders['idempotency-key']).toBe('add-1');
    const again = await api().addItem(KNOWN_IDS.emptyCart, { productId: KNOWN_IDS.product, quantity: 3 });
    expect(again.items).toEqual([{ productId: KNOWN_IDS.product, quantity: 5 }]);
    expect(await api().getCart(KNOWN_IDS.emptyCart)).toEqual(again);
  });

  it("addItem creates an existing customer's cart on first use", async () => {
    const cartId = CartsApi.cartIdFor('c-0050');
    expect(cartId).toBe(KNOWN_IDS.cartNotCreated);
    const cart = await api().addItem(cartId, { productId: KNOWN_IDS.productAlt, quantity: 1 });
    expect(cart).toMatchObject({ id: cartId, customerId: 'c-0050', items: [{ productId: KNOWN_IDS.productAlt, quantity: 1 }] });
    expect(await api().getCart(cartId)).toEqual(cart);
  });

  it('addItem rejects an unknown product (upstream 404 unknown-product → unprocessable) and an invalid quantity (upstream 400)', async () => {
    const unknown = await upstreamFailure(api().addItem(KNOWN_IDS.cart, { productId: KNOWN_IDS.productUnknown, quantity: 1 }), {
      upstream: 'carts',
      status: 404,
      kind: 'unprocessable',
    });
    expect(unknown.code).toBe('UNKNOWN_PRODUCT');
    await upstreamFailure(api().addItem(KNOWN_IDS.cart, { productId: KNOWN_IDS.product, quantity: 0 }), {
      upstream: 'carts',
      status: 400,
      kind: 'bad_gateway',
    });
    expect(await api().getCart(KNOWN_IDS.cart)).toEqual(await raw('carts', `/carts/${KNOWN_IDS.cart}`));
  });

  it('updateItem sets a quantity and removes the line at 0; removeItem is idempotent', async () => {
    const seeded = await api().getCart(KNOWN_IDS.cart);
    const [first, ...rest] = seeded.items;
    const updated = await api().updateItem(KNOWN_IDS.cart, first.productId, 7);
    expect(updated.items).toEqual([{ productId: first.productId, quantity: 7 }, ...rest]);
    const zeroed = await api().updateItem(KNOWN_IDS.cart, first.productId, 0);
    expect(zeroed.items).toEqual(rest);
    const absent = await upstreamFailure(api().updateItem(KNOWN_IDS.cart, first.productId, 1), {
      upstream: 'carts',
      status: 404,
      kind: 'not_found',
    });
    expect(absent.code).toBe('ITEM_NOT_IN_CART');
    const removed = await api().removeItem(KNOWN_IDS.cart, rest[0].productId);
    expect(removed.items).toEqual(rest.slice(1));
    expect(await api().removeItem(KNOWN_IDS.cart, rest[0].productId)).toEqual(removed);
  });

  it('clearIfUnchanged empties the cart only when it holds exactly the given lines', async () => {
    const seeded = await api().getCart(KNOWN_IDS.cart);
    const changed = await upstreamFailure(api().clearIfUnchanged(KNOWN_IDS.cart, seeded.items.slice(1)), {
      upstream: 'carts',
      status: 409,
      kind: 'conflict',
    });
    expect(changed.code).toBe('CART_CHANGED');
    expect(await api().getCart(KNOWN_IDS.cart)).toEqual(seeded);
    expect((await api().clearIfUnchanged(KNOWN_IDS.cart, [...seeded.items].reverse())).items).toEqual([]);
  });

  it('a write with an aborted section signal is not sent', async () => {
    const before = (await sandbox.admin.stats('carts')).requests;
    const error = await upstreamFailure(
      api().addItem(KNOWN_IDS.cart, { productId: KNOWN_IDS.product, quantity: 1 }, { signal: AbortSignal.abort() }),
      { upstream: 'carts', kind: 'timeout' },
    );
    expect(error.failure).toBe('aborted');
    expect((await sandbox.admin.stats('carts')).requests).toBe(before);
  });
});

describe('OrdersApi', () => {
  const api = (): OrdersApi => moduleRef.get(OrdersApi);
  beforeEach(() => sandbox.admin.reset());

  it("listOrders returns a customer's orders newest first, or every order", async () => {
    const mine = await api().listOrders({ customerId: KNOWN_IDS.customer });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((o) => o.customerId === KNOWN_IDS.customer)).toBe(true);
    const dates = mine.map((o) => o.createdAt);
    expect([...dates].sort().reverse()).toEqual(dates);
    const all = await api().listOrders();
    expect(all.length).toBeGreaterThan(mine.length);
    expect(all).toEqual((await raw<{ items: unknown[] }>('orders', '/orders')).items);
  });

  it('getOrder returns an order, and rejects an unknown id with not_found', async () => {
    const order = await api().getOrder(KNOWN_IDS.order);
    expect(order).toEqual(await raw('orders', `/orders/${KNOWN_IDS.order}`));
    expect(order.customerId).toBe(KNOWN_IDS.customer);
    expect(order.totalAmount).toBe(order.items.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0));
    await upstreamFailure(api().getOrder(KNOWN_IDS.orderUnknown), { upstream: 'orders', status: 404, kind: 'not_found' });
  });

  it('placeOrder creates an order once per idempotency key', async () => {
    const request = { customerId: KNOWN_IDS.customer, items: [{ productId: KNOWN_IDS.product, quantity: 2 }] };
    const { amount } = await moduleRef.get(PricingApi).getPrice(KNOWN_IDS.product);

    const placed = await api().placeOrder(request, { idempotencyKey: 'checkout-1' });
    expect(placed.replayed).toBe(false);
    expect(placed.idempotencyKey).toBe('checkout-1');
    expect(placed.order).toMatchObject({
      customerId: KNOWN_IDS.customer,
      status: 'created',
      currency: 'EUR',
      items: [{ productId: KNOWN_IDS.product, quantity: 2, unitAmount: amount }],
      totalAmount: 2 * amount,
    });
    const stats = await sandbox.admin.stats('orders');
    expect(stats.lastHeaders['idempotency-key']).toBe('checkout-1');
    expect(stats.lastHeaders['authorization']).toBe(`Bearer ${RELAY_TOKEN}`);

    const replay = await api().placeOrder(request, { idempotencyKey: 'checkout-1' });
    expect(replay).toEqual({ order: placed.order, replayed: true, idempotencyKey: 'checkout-1' });
    expect(await api().getOrder(placed.order.id)).toEqual(placed.order);
    expect((await api().listOrders({ customerId: KNOWN_IDS.customer }))[0]).toEqual(placed.order);

    await expect(
      api().placeOrder({ ...request, items: [{ productId: KNOWN_IDS.productAlt, quantity: 1 }] }, { idempotencyKey: 'checkout-1' }),
    ).rejects.toMatchObject({ reason: 'idempotency_key_reused', kind: 'unprocessable', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('placeOrder without a key generates one per call', async () => {
    const request = { customerId: KNOWN_IDS.customer, items: [{ productId: KNOWN_IDS.productAlt, quantity: 1 }] };
    const first = await api().placeOrder(request);
    const second = await api().placeOrder(request);
    expect(first.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
    expect(second.order.id).not.toBe(first.order.id);
    expect([first.replayed, second.replayed]).toEqual([false, false]);
  });

  it('placeOrder rejects an unknown customer or product and a product without a price, naming the order line', async () => {
    const before = await api().listOrders();
    const rejected = (promise: Promise<unknown>): Promise<OrderRejectedError> =>
      promise.then(
        () => {
          throw new Error('expected the placement to be refused');
        },
        (error: unknown) => {
          expect(error).toBeInstanceOf(OrderRejectedError);
          return error as OrderRejectedError;
        },
      );
    const line = (productId: string) => ({ productId, quantity: 1 });
    expect(await rejected(api().placeOrder({ customerId: KNOWN_IDS.customerUnknown, items: [line(KNOWN_IDS.product)] }))).toMatchObject({
      reason: 'unknown_customer',
      kind: 'unprocessable',
      productId: undefined,
    });
    expect(
      await rejected(
        api().placeOrder({ customerId: KNOWN_IDS.customer, items: [line(KNOWN_IDS.product), line(KNOWN_IDS.productUnknown)] }),
      ),
    ).toMatchObject({ reason: 'unknown_product', code: 'UNKNOWN_PRODUCT', productId: KNOWN_IDS.productUnknown, itemIndex: 1 });
    const noPrice = await rejected(api().placeOrder({ customerId: KNOWN_IDS.customer, items: [line(KNOWN_IDS.productNoPrice)] }));
    expect(noPrice).toMatchObject({ reason: 'product_not_purchasable', productId: KNOWN_IDS.productNoPrice, itemIndex: 0 });
    // The upstream's own wording stays internal.
    expect(noPrice.publicDetail).not.toContain(KNOWN_IDS.productNoPrice);
    expect(await api().listOrders()).toEqual(before);
  });
});
