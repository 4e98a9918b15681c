import { randomUUID } from 'node:crypto';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CookieJar, KNOWN_IDS } from '../sandbox/src/index.ts';
import { getSeed } from '../sandbox/src/seed/data.ts';
import { expectProblem } from './support/stack.js';
import { browserLogin, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

interface CartLine {
  productId: string;
  quantity: number;
  name: string | null;
  thumbnail: string | null;
  unitPrice: { currency: string; amount: number; listAmount: number; discountPct: number } | null;
  inStock: boolean | null;
  lineAmount: number | null;
}
interface CartBody {
  lines: CartLine[];
  itemCount: number;
  estimatedSubtotal: {
    amount: number;
    currency: string | null;
    estimate: true;
    complete: boolean;
    unpricedProductIds: string[];
    label: string;
  };
  updatedAt: string | null;
  meta: { degraded: Array<{ section: string; reason: string }> };
}
interface OrderBody {
  id: string;
  status: string;
  items: Array<{ productId: string; quantity: number; unitAmount: number; lineAmount: number }>;
  totalAmount: number;
  currency: string;
  createdAt: string;
}

describe('web-bff cart, checkout and orders with a real signed-in session (sandbox upstreams verify the relayed token)', () => {
  let stack: WebAuthStack;
  let jar: CookieJar;
  beforeAll(async () => {
    stack = await startWebAuthStack();
    jar = new CookieJar();
    const login = await browserLogin(stack.url, jar);
    expect(login.sessionId).toEqual(expect.any(String));
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    await stack.sandbox.admin.clearFaults();
    await stack.sandbox.admin.reset();
  });

  const url = (path: string): string => `${stack.url}${path}`;
  const call = (path: string, init: Parameters<typeof spaFetch>[2] = {}): Promise<Response> => spaFetch(jar, url(path), init);
  const cart = async (): Promise<CartBody> => {
    const res = await call('/api/v1/cart');
    expect(res.status).toBe(200);
    return (await res.json()) as CartBody;
  };
  const checkout = (key: string | undefined): Promise<Response> =>
    call('/api/v1/checkout', { method: 'POST', headers: key === undefined ? {} : { 'idempotency-key': key } });
  /** Empties the signed-in customer's cart through the API. */
  const emptyCart = async (): Promise<void> => {
    for (const line of (await cart()).lines) {
      expect((await call(`/api/v1/cart/items/${line.productId}`, { method: 'DELETE' })).status).toBe(200);
    }
  };

  it('shows the cart: lines enriched with name, thumbnail, current price and stock, and an estimated, complete subtotal', async () => {
    const body = await cart();
    const seeded = getSeed().carts.find((c) => c.id === KNOWN_IDS.cart)!;
    expect(body.lines.map((l) => [l.productId, l.quantity])).toEqual(seeded.items.map((i) => [i.productId, i.quantity]));
    for (const line of body.lines) {
      expect(line.name).toEqual(expect.any(String));
      expect(line.thumbnail).toMatch(/^https?:\/\//);
      expect(line.unitPrice).toMatchObject({ currency: 'EUR', amount: expect.any(Number) });
      expect(typeof line.inStock).toBe('boolean');
      expect(line.lineAmount).toBe(line.unitPrice!.amount * line.quantity);
    }
    expect(body.itemCount).toBe(seeded.items.reduce((n, i) => n + i.quantity, 0));
    expect(body.estimatedSubtotal).toEqual({
      amount: body.lines.reduce((sum, l) => sum + l.lineAmount!, 0),
      currency: 'EUR',
      estimate: true,
      complete: true,
      unpricedProductIds: [],
      label: 'Estimated subtotal',
    });
    expect(body.meta.degraded).toEqual([]);
  });

  it('degrades price and stock instead of failing: the subtotal says it is incomplete', async () => {
    expect((await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productNoPrice, quantity: 1 } })).status).toBe(
      200,
    );
    const partial = await cart();
    expect(partial.lines.find((l) => l.productId === KNOWN_IDS.productNoPrice)).toMatchObject({ unitPrice: null, lineAmount: null });
    expect(partial.estimatedSubtotal).toMatchObject({
      estimate: true,
      complete: false,
      unpricedProductIds: [KNOWN_IDS.productNoPrice],
      label: 'Estimated subtotal (some prices unavailable)',
    });

    await stack.sandbox.admin.setFaults('pricing', [{ status: 503 }]);
    await stack.sandbox.admin.setFaults('inventory', [{ status: 503 }]);
    const res = await call('/api/v1/cart');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-degraded-sections')).toBe('cart-price,cart-stock');
    const body = (await res.json()) as CartBody;
    expect(body.lines.every((l) => l.unitPrice === null && l.inStock === null && l.name !== null)).toBe(true);
    expect(body.estimatedSubtotal).toMatchObject({ amount: 0, currency: null, complete: false });
    expect(body.meta.degraded.map((d) => d.section)).toEqual(['cart-price', 'cart-stock']);
  });

  it('adds, changes and removes lines, answering the enriched cart each time', async () => {
    await emptyCart();
    const added = await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productAlt, quantity: 2 } });
    expect(added.status).toBe(200);
    expect(((await added.json()) as CartBody).lines).toEqual([
      expect.objectContaining({ productId: KNOWN_IDS.productAlt, quantity: 2, name: expect.any(String) }),
    ]);
    const again = await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productAlt, quantity: 1 } });
    expect(((await again.json()) as CartBody).lines[0]?.quantity).toBe(3);

    const changed = await call(`/api/v1/cart/items/${KNOWN_IDS.productAlt}`, { method: 'PATCH', body: { quantity: 7 } });
    expect(changed.status).toBe(200);
    const changedBody = (await changed.json()) as CartBody;
    expect(changedBody.lines[0]?.quantity).toBe(7);
    expect(changedBody.itemCount).toBe(7);

    const removed = await call(`/api/v1/cart/items/${KNOWN_IDS.productAlt}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(((await removed.json()) as CartBody).lines).toEqual([]);
    // DELETE is idempotent: removing it again answers the (unchanged) cart.
    const removedAgain = await call(`/api/v1/cart/items/${KNOWN_IDS.productAlt}`, { method: 'DELETE' });
    expect(removedAgain.status).toBe(200);
    expect((await cart()).lines).toEqual([]);
  });

  it('requires the session (401) and the X-CSRF header (403) on every route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/cart'],
      ['POST', '/api/v1/cart/items', { productId: KNOWN_IDS.product, quantity: 1 }],
      ['PATCH', `/api/v1/cart/items/${KNOWN_IDS.product}`, { quantity: 1 }],
      ['DELETE', `/api/v1/cart/items/${KNOWN_IDS.product}`],
      ['POST', '/api/v1/checkout'],
      ['GET', '/api/v1/orders'],
      ['GET', `/api/v1/orders/${KNOWN_IDS.order}`],
    ];
    const before = await cart();
    for (const [method, path, body] of routes) {
      const headers = { 'idempotency-key': randomUUID() };
      await expectProblem(await spaFetch(new CookieJar(), url(path), { method, body, headers }), 401, 'session-required');
      await expectProblem(await call(path, { method, body, headers, csrf: false }), 403, 'csrf-header-required');
    }
    expect(await cart()).toEqual(before);
  });

  it('maps upstream refusals to precise 4xx problems, never 5xx', async () => {
    const unknown = await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productUnknown, quantity: 1 } });
    await expectProblem(unknown, 422, 'unknown-product');

    await expectProblem(
      await call(`/api/v1/cart/items/${KNOWN_IDS.productUnknown}`, { method: 'PATCH', body: { quantity: 2 } }),
      404,
      'item-not-in-cart',
    );
    for (const quantity of [0, 100, 1.5, '2']) {
      const res = await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.product, quantity } });
      const problem = await expectProblem(res, 400, 'validation-failed');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'quantity', in: 'body' })]);
      await expectProblem(
        await call(`/api/v1/cart/items/${KNOWN_IDS.product}`, { method: 'PATCH', body: { quantity } }),
        400,
        'validation-failed',
      );
    }
    await expectProblem(
      await call('/api/v1/cart/items', { method: 'POST', body: { productId: 'no spaces/allowed', quantity: 1 } }),
      400,
      'validation-failed',
    );
    await expectProblem(await call('/api/v1/orders?limit=0'), 400, 'validation-failed');
    await expectProblem(await call('/api/v1/orders?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
  });

  it('checkout requires a valid Idempotency-Key (400), leaving the cart alone', async () => {
    const before = await cart();
    const missing = await expectProblem(await checkout(undefined), 400, 'idempotency-key-missing');
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', in: 'header' })]);
    await expectProblem(await checkout('short'), 400, 'idempotency-key-invalid');
    await expectProblem(await checkout('has spaces in it'), 400, 'idempotency-key-invalid');
    expect((await cart()).lines).toEqual(before.lines);
  });

  it('places the order from the cart (201 + Location), empties the cart, and answers a replay with the same order', async () => {
    const before = await cart();
    const key = randomUUID();
    const placed = await checkout(key);
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as OrderBody;
    expect(placed.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect(placed.headers.get('idempotent-replayed')).toBeNull();
    expect(order.items.map((i) => [i.productId, i.quantity])).toEqual(before.lines.map((l) => [l.productId, l.quantity]));
    expect(order.totalAmount).toBe(order.items.reduce((sum, i) => sum + i.lineAmount, 0));
    expect(order.status).toBe('created');
    expect((await cart()).lines).toEqual([]);

    const replay = await checkout(key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect(await replay.json()).toEqual(order);

    const history = (await (await call('/api/v1/orders?limit=50')).json()) as { items: OrderBody[] };
    expect(history.items.filter((o) => o.id === order.id)).toHaveLength(1);
    expect(history.items[0]?.id).toBe(order.id);

    // The same key with other cart contents is refused; the new cart is kept.
    await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productAlt, quantity: 1 } });
    await expectProblem(await checkout(key), 422, 'idempotency-key-reused');
    expect((await cart()).lines.map((l) => l.productId)).toEqual([KNOWN_IDS.productAlt]);
  });

  it('refuses to check out an empty cart (422 cart-empty)', async () => {
    await emptyCart();
    await expectProblem(await checkout(randomUUID()), 422, 'cart-empty');
  });

  it('keeps the cart when the order cannot be placed, and the same key then places it exactly once', async () => {
    const before = await cart();
    await stack.sandbox.admin.setFaults('orders', [{ path: '/orders', method: 'POST', status: 503 }]);
    const key = randomUUID();
    const failed = await checkout(key);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await cart()).lines).toEqual(before.lines);

    await stack.sandbox.admin.clearFaults('orders');
    const placed = await checkout(key);
    expect(placed.status).toBe(201);
    expect((await cart()).lines).toEqual([]);
  });

  it('keeps the order when the cart cannot be emptied afterwards; the replay finishes emptying it', async () => {
    const before = await cart();
    await stack.sandbox.admin.setFaults('carts', [{ path: `/carts/${KNOWN_IDS.cart}/clear`, method: 'POST', status: 503 }]);
    const key = randomUUID();
    const placed = await checkout(key);
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as OrderBody;
    expect((await cart()).lines).toEqual(before.lines);

    await stack.sandbox.admin.clearFaults('carts');
    const replay = await checkout(key);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as OrderBody).id).toBe(order.id);
    expect((await cart()).lines).toEqual([]);
  });

  it('never empties lines added after the checkout read the cart (compare-and-clear)', async () => {
    // The clear is held back; once the order exists, another tab adds a product: the cart no longer holds exactly
    // what was ordered, so it is left as it is.
    const newest = async (): Promise<string | undefined> =>
      ((await (await call('/api/v1/orders?limit=1')).json()) as { items: OrderBody[] }).items[0]?.id;
    const before = await newest();
    await stack.sandbox.admin.setFaults('carts', [{ path: `/carts/${KNOWN_IDS.cart}/clear`, method: 'POST', latencyMs: 800 }]);
    const pending = checkout(randomUUID());
    await expect.poll(newest, { timeout: 5_000, interval: 20 }).not.toBe(before);
    await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productOutOfStock, quantity: 1 } });
    const placed = await pending;
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as OrderBody;
    expect(order.items.map((i) => i.productId)).not.toContain(KNOWN_IDS.productOutOfStock);
    expect((await cart()).lines.map((l) => l.productId)).toContain(KNOWN_IDS.productOutOfStock);
  });

  it('refuses an order line the orders service cannot price (422 product-not-purchasable), keeping the cart', async () => {
    await call('/api/v1/cart/items', { method: 'POST', body: { productId: KNOWN_IDS.productNoPrice, quantity: 1 } });
    const before = await cart();
    const problem = await expectProblem(await checkout(randomUUID()), 422, 'product-not-purchasable');
    expect(problem.productId).toBe(KNOWN_IDS.productNoPrice);
    expect((await cart()).lines).toEqual(before.lines);
  });

  it('pages the order history with a cursor and shows one order; unknown and other customers’ orders are 404', async () => {
    const seed = getSeed();
    const mine = seed.orders.filter((o) => o.customerId === KNOWN_IDS.customer);
    expect(mine.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(`/api/v1/orders?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: OrderBody[]; nextCursor: string | null };
      expect(page.items).toHaveLength(1);
      seen.push(page.items[0].id);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(mine.map((o) => o.id).sort());

    const detail = await call(`/api/v1/orders/${KNOWN_IDS.order}`);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({ id: KNOWN_IDS.order, currency: 'EUR', items: expect.any(Array) });

    await expectProblem(await call(`/api/v1/orders/${KNOWN_IDS.orderUnknown}`), 404, 'not-found');
    const others = seed.orders.find((o) => o.customerId !== KNOWN_IDS.customer)!;
    await expectProblem(await call(`/api/v1/orders/${others.id}`), 404, 'not-found');
  });
});
