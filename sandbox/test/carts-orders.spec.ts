import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { KNOWN_IDS, type Cart, type Order, type Problem, type Sandbox } from '../src/index.ts';
import { IDEMPOTENCY_KEY_TTL_MS } from '../src/services/orders.ts';
import { getJson, sendJson, start, timed } from './support.ts';

let sandbox: Sandbox<'carts' | 'orders' | 'pricing'>;

beforeAll(async () => {
  // The services' own behaviour across customers: authorization is sandbox/test/authz.spec.ts's.
  sandbox = await start({ services: ['carts', 'orders', 'pricing'], authz: 'off' });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.admin.reset());

describe('carts', () => {
  const cartUrl = (id: string = KNOWN_IDS.cart): string => `${sandbox.urls.carts}/carts/${id}`;

  it('returns seeded carts (uncacheable) and 404 for unknown ones', async () => {
    const { status, headers, body } = await getJson<Cart>(cartUrl());
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ id: 'cart-c-0001', customerId: 'c-0001' });
    expect(body.items).toEqual([
      { productId: 'p-00001', quantity: 1 },
      { productId: 'p-00002', quantity: 2 },
    ]);
    expect((await getJson<Cart>(cartUrl(KNOWN_IDS.emptyCart))).body.items).toEqual([]);
    expect((await getJson(cartUrl(KNOWN_IDS.cartNotCreated))).status).toBe(404);
    expect((await getJson(cartUrl('cart-nobody'))).status).toBe(404);
  });

  it('adds, updates and removes items', async () => {
    const added = await sendJson<Cart>(`${cartUrl()}/items`, 'POST', { productId: 'p-00010', quantity: 3 });
    expect(added.status).toBe(200);
    expect(added.body.items).toContainEqual({ productId: 'p-00010', quantity: 3 });
    expect(Date.parse(added.body.updatedAt)).toBeGreaterThan(Date.UTC(2025, 0, 1));

    const incremented = await sendJson<Cart>(`${cartUrl()}/items`, 'POST', { productId: 'p-00001', quantity: 2 });
    expect(incremented.body.items).toContainEqual({ productId: 'p-00001', quantity: 3 });

    const patched = await sendJson<Cart>(`${cartUrl()}/items/p-00010`, 'PATCH', { quantity: 7 });
    expect(patched.body.items).toContainEqual({ productId: 'p-00010', quantity: 7 });

    const removedByZero = await sendJson<Cart>(`${cartUrl()}/items/p-00002`, 'PATCH', { quantity: 0 });
    expect(removedByZero.body.items.map((i) => i.productId)).toEqual(['p-00001', 'p-00010']);

    const deleted = await getJson<Cart>(`${cartUrl()}/items/p-00001`, { method: 'DELETE' });
    expect(deleted.body.items).toEqual([{ productId: 'p-00010', quantity: 7 }]);
    const deletedAgain = await getJson<Cart>(`${cartUrl()}/items/p-00001`, { method: 'DELETE' });
    expect(deletedAgain.status).toBe(200);

    expect((await getJson<Cart>(cartUrl())).body.items).toEqual([{ productId: 'p-00010', quantity: 7 }]);
  });

  it('creates the cart of an existing customer on first add', async () => {
    const created = await sendJson<Cart>(`${cartUrl(KNOWN_IDS.cartNotCreated)}/items`, 'POST', { productId: 'p-00005', quantity: 1 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: 'cart-c-0050', customerId: 'c-0050', items: [{ productId: 'p-00005', quantity: 1 }] });
    expect((await sendJson(`${cartUrl('cart-c-9999')}/items`, 'POST', { productId: 'p-00005', quantity: 1 })).status).toBe(404);
  });

  it('validates bodies (400) and product ids (404)', async () => {
    const bad: unknown[] = [
      {},
      { productId: 'p-00001' },
      { productId: 'p-00001', quantity: 0 },
      { productId: 'p-00001', quantity: 1.5 },
      { productId: 5, quantity: 1 },
      [],
    ];
    for (const body of bad) {
      const response = await sendJson<Problem>(`${cartUrl()}/items`, 'POST', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const invalidJson = await getJson(`${cartUrl()}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(invalidJson.status).toBe(400);
    expect((await sendJson(`${cartUrl()}/items`, 'POST', { productId: 'p-99999', quantity: 1 })).status).toBe(404);
    expect((await sendJson(`${cartUrl()}/items/p-00001`, 'PATCH', { quantity: -1 })).status).toBe(400);
    expect((await sendJson(`${cartUrl()}/items/p-00500`, 'PATCH', { quantity: 1 })).status).toBe(404);
  });

  it('names its 404s: an unknown product (unknown-product) and a line not in the cart (item-not-in-cart)', async () => {
    const unknown = await sendJson<Problem>(`${cartUrl()}/items`, 'POST', { productId: 'p-99999', quantity: 1 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toMatch(/\/unknown-product$/);
    const absent = await sendJson<Problem>(`${cartUrl()}/items/p-00500`, 'PATCH', { quantity: 1 });
    expect(absent.status).toBe(404);
    expect(absent.body.type).toMatch(/\/item-not-in-cart$/);
  });

  it('clears a cart only when it holds exactly the given lines (compare-and-clear)', async () => {
    const seeded = [
      { productId: 'p-00002', quantity: 2 },
      { productId: 'p-00001', quantity: 1 },
    ];
    // Another quantity, a missing line or an extra line: 409 cart-changed, nothing changes.
    for (const items of [
      [{ productId: 'p-00001', quantity: 1 }],
      [...seeded, { productId: 'p-00010', quantity: 1 }],
      [{ ...seeded[0], quantity: 3 }, seeded[1]],
    ]) {
      const refused = await sendJson<Problem>(`${cartUrl()}/clear`, 'POST', { items });
      expect(refused.status, JSON.stringify(items)).toBe(409);
      expect(refused.body.type).toMatch(/\/cart-changed$/);
    }
    expect((await getJson<Cart>(cartUrl())).body.items).toHaveLength(2);

    // The same lines in any order: emptied; a repeat finds an empty cart (409).
    const cleared = await sendJson<Cart>(`${cartUrl()}/clear`, 'POST', { items: seeded });
    expect(cleared.status).toBe(200);
    expect(cleared.body.items).toEqual([]);
    expect((await sendJson(`${cartUrl()}/clear`, 'POST', { items: seeded })).status).toBe(409);
    expect((await sendJson(`${cartUrl()}/clear`, 'POST', { items: [{ productId: 'p-00001', quantity: 0 }] })).status).toBe(400);
    expect((await sendJson(`${cartUrl()}/clear`, 'POST', {})).status).toBe(400);
    expect((await sendJson(`${cartUrl('cart-nobody')}/clear`, 'POST', { items: [] })).status).toBe(404);
  });

  it('admin reset restores the seed', async () => {
    await sendJson(`${cartUrl()}/items`, 'POST', { productId: 'p-00010', quantity: 3 });
    const reset = await fetch(`${sandbox.urls.carts}/__admin/reset`, { method: 'POST' });
    expect(reset.status).toBe(204);
    expect((await getJson<Cart>(cartUrl())).body.items).toHaveLength(2);
  });
});

describe('orders', () => {
  const ordersUrl = (): string => `${sandbox.urls.orders}/orders`;
  const body = {
    customerId: KNOWN_IDS.customer,
    items: [
      { productId: 'p-00001', quantity: 2 },
      { productId: 'p-00002', quantity: 1 },
    ],
  };

  it('lists seeded orders of a customer newest first and gets one', async () => {
    const { body: list } = await getJson<{ items: Order[] }>(`${ordersUrl()}?customerId=${KNOWN_IDS.customer}`);
    expect(list.items).toHaveLength(3);
    expect(list.items.every((o) => o.customerId === 'c-0001')).toBe(true);
    const dates = list.items.map((o) => o.createdAt);
    expect([...dates].sort().reverse()).toEqual(dates);
    const order = await getJson<Order>(`${ordersUrl()}/${KNOWN_IDS.order}`);
    expect(order.body).toMatchObject({ id: 'o-000001', customerId: 'c-0001', currency: 'EUR' });
    expect(order.body.totalAmount).toBe(order.body.items.reduce((s, i) => s + i.unitAmount * i.quantity, 0));
    expect((await getJson(`${ordersUrl()}/${KNOWN_IDS.orderUnknown}`)).status).toBe(404);
    expect((await getJson<{ items: Order[] }>(`${ordersUrl()}?customerId=c-9999`)).body.items).toEqual([]);
  });

  it('requires a well-formed Idempotency-Key', async () => {
    const { status, body: problem } = await sendJson<Problem>(ordersUrl(), 'POST', body);
    expect(status).toBe(400);
    expect(problem.type).toContain('idempotency-key-missing');
    for (const key of ['two words', 'k'.repeat(256), 'caf\u00e9']) {
      const malformed = await sendJson<Problem>(ordersUrl(), 'POST', body, { 'idempotency-key': key });
      expect(malformed.status).toBe(400);
      expect(malformed.body.type).toContain('idempotency-key-invalid');
    }
    expect((await getJson<{ items: Order[] }>(`${ordersUrl()}?customerId=c-0001`)).body.items).toHaveLength(3);
  });

  it('creates once and replays the same order for the same key and body', async () => {
    const headers = { 'idempotency-key': 'key-replay-1' };
    const created = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
    expect(created.status).toBe(201);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
    expect(created.headers.get('location')).toBe(`/orders/${created.body.id}`);
    expect(created.body).toMatchObject({ customerId: 'c-0001', status: 'created', currency: 'EUR' });
    for (const item of created.body.items) {
      const price = await getJson<{ amount: number }>(`${sandbox.urls.pricing}/prices/${item.productId}`);
      expect(item.unitAmount).toBe(price.body.amount);
    }
    expect(created.body.totalAmount).toBe(created.body.items.reduce((s, i) => s + i.unitAmount * i.quantity, 0));

    const replay = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(created.body);

    const listed = await getJson<{ items: Order[] }>(`${ordersUrl()}?customerId=c-0001`);
    expect(listed.body.items.filter((o) => o.id === created.body.id)).toHaveLength(1);
    expect(listed.body.items[0]?.id).toBe(created.body.id);

    const other = await sendJson<Order>(ordersUrl(), 'POST', body, { 'idempotency-key': 'key-replay-2' });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(created.body.id);
  });

  it('rejects a reused key with a different body (422)', async () => {
    const headers = { 'idempotency-key': 'key-conflict' };
    expect((await sendJson(ordersUrl(), 'POST', body, headers)).status).toBe(201);
    const conflict = await sendJson<Problem>(ordersUrl(), 'POST', { ...body, items: [{ productId: 'p-00001', quantity: 3 }] }, headers);
    expect(conflict.status).toBe(422);
    expect(conflict.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(conflict.body.type).toContain('idempotency-key-reused');
  });

  it('validates the body and names the customer or product it cannot order', async () => {
    type OrderProblem = Problem & { productId?: string; pointer?: string };
    const post = (payload: unknown, key: string) => sendJson<OrderProblem>(ordersUrl(), 'POST', payload, { 'idempotency-key': key });
    expect((await post({ customerId: 'c-0001', items: [] }, 'v1')).status).toBe(400);
    expect((await post({ customerId: 'c-0001', items: [{ productId: 'p-00001', quantity: 0 }] }, 'v2')).status).toBe(400);
    expect((await post({ customerId: 'c-0001', items: [{ productId: 'p-00001', quantity: 100 }] }, 'v2b')).status).toBe(400);
    expect((await post({ items: [{ productId: 'p-00001', quantity: 1 }] }, 'v3')).status).toBe(400);
    const unknownCustomer = await post({ customerId: 'c-9999', items: [{ productId: 'p-00001', quantity: 1 }] }, 'v4');
    expect(unknownCustomer.status).toBe(422);
    expect(unknownCustomer.body).toMatchObject({ type: expect.stringContaining('unknown-customer'), pointer: '/customerId' });
    const unknownProduct = await post(
      {
        customerId: 'c-0001',
        items: [
          { productId: 'p-00001', quantity: 1 },
          { productId: KNOWN_IDS.productUnknown, quantity: 1 },
        ],
      },
      'v5',
    );
    expect(unknownProduct.status).toBe(422);
    expect(unknownProduct.body).toMatchObject({
      type: expect.stringContaining('unknown-product'),
      productId: KNOWN_IDS.productUnknown,
      pointer: '/items/1/productId',
    });
    const noPrice = await post({ customerId: 'c-0001', items: [{ productId: KNOWN_IDS.productNoPrice, quantity: 1 }] }, 'v6');
    expect(noPrice.status).toBe(422);
    expect(noPrice.body).toMatchObject({ type: expect.stringContaining('product-not-purchasable'), productId: KNOWN_IDS.productNoPrice });
    // A failed request does not consume its key.
    expect((await post(body, 'v5')).status).toBe(201);
  });

  it('treats the same lines in another order as the same request', async () => {
    const headers = { 'idempotency-key': 'key-reordered' };
    const created = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
    const replay = await sendJson<Order>(ordersUrl(), 'POST', { ...body, items: [...body.items].reverse() }, headers);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(created.body.id);
  });

  it('scopes keys to the customer: the same key of another customer places its own order', async () => {
    const headers = { 'idempotency-key': 'key-shared' };
    const mine = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
    const theirs = await sendJson<Order>(ordersUrl(), 'POST', { ...body, customerId: KNOWN_IDS.customerPlatinum }, headers);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.customerId).toBe(KNOWN_IDS.customerPlatinum);
  });

  describe('key expiry', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it(`forgets a key ${IDEMPOTENCY_KEY_TTL_MS / 3_600_000} hours after its order`, async () => {
      // Only Date is faked: sockets and timers keep running in real time.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      const headers = { 'idempotency-key': 'key-expiring' };
      const created = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
      vi.setSystemTime(Date.now() + IDEMPOTENCY_KEY_TTL_MS - 1_000);
      expect((await sendJson<Order>(ordersUrl(), 'POST', body, headers)).body.id).toBe(created.body.id);
      vi.setSystemTime(Date.now() + 2_000);
      const later = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(created.body.id);
    });
  });

  it('commitThenHangMs: the order is placed, no answer comes, the connection closes; the replay returns it', async () => {
    await sandbox.admin.setFaults('orders', [{ path: '/orders', method: 'POST', commitThenHangMs: 400, times: 1 }]);
    const headers = { 'idempotency-key': 'key-hang' };
    const lost = await timed(() =>
      sendJson(ordersUrl(), 'POST', body, headers).then(
        () => 'answered',
        () => 'connection closed',
      ),
    );
    expect(lost.result).toBe('connection closed');
    expect(lost.ms).toBeGreaterThanOrEqual(380);
    const stats = await sandbox.admin.stats('orders');
    expect(stats).toMatchObject({ requests: 1, faultsApplied: 1 });
    const placed = (await getJson<{ items: Order[] }>(`${ordersUrl()}?customerId=c-0001`)).body.items;
    expect(placed).toHaveLength(4);
    const replay = await sendJson<Order>(ordersUrl(), 'POST', body, headers);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(placed[0]?.id);
    expect((await getJson<{ items: Order[] }>(`${ordersUrl()}?customerId=c-0001`)).body.items).toHaveLength(4);
  });

  it('reset forgets created orders and idempotency keys', async () => {
    const created = await sendJson<Order>(ordersUrl(), 'POST', body, { 'idempotency-key': 'key-reset' });
    await sandbox.admin.reset();
    expect((await getJson(`${ordersUrl()}/${created.body.id}`)).status).toBe(404);
    const again = await sendJson<Order>(ordersUrl(), 'POST', body, { 'idempotency-key': 'key-reset' });
    expect(again.status).toBe(201);
  });
});
