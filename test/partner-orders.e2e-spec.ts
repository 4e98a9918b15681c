import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { KNOWN_IDS, partnerAccessToken } from '../sandbox/src/index.ts';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { expectProblem, postJson, startStack, type Stack } from './support/stack.js';

/** Short enough to keep the "answer lost" case quick; long enough for a loaded 2-core machine. */
const DEADLINE_MS = 2_500;
const SLACK_MS = 1_500;

interface PartnerOrder {
  id: string;
  status: string;
  items: { productId: string; quantity: number; unitAmount: number }[];
  totalAmount: number;
}

describe('partner-bff order placement (Idempotency-Key) against the real sandbox', () => {
  let stack: Stack;
  const acme = partnerKey('acme', ['orders:read', 'orders:write'], { account: KNOWN_IDS.customer });
  const readOnly = partnerKey('read-only', ['orders:read'], { account: KNOWN_IDS.customer });
  const auth = { 'x-api-key': acme.key };
  const items = [
    { productId: KNOWN_IDS.product, quantity: 2 },
    { productId: KNOWN_IDS.productAlt, quantity: 1 },
  ];

  beforeAll(async () => {
    stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
      REQUEST_DEADLINE_MS: String(DEADLINE_MS),
      PARTNER_API_KEYS: partnerKeysEnv(acme, readOnly),
      ...partnerClientEnv(sandbox.idp!.issuer),
    }));
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const place = (key: string | undefined, body: unknown = { items }, headers: Record<string, string> = auth): Promise<Response> =>
    postJson(`${stack.url}/v1/orders`, body, key === undefined ? headers : { ...headers, 'idempotency-key': key });
  /** What the orders service itself holds for the partner's account. */
  const upstreamOrders = async (): Promise<{ id: string }[]> => {
    const token = await partnerAccessToken(stack.sandbox.idp!, { account: KNOWN_IDS.customer, scope: 'orders:read' });
    const res = await fetch(`${stack.sandbox.urls.orders}/orders?customerId=${KNOWN_IDS.customer}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await res.json()) as { items: { id: string }[] }).items;
  };
  const SEEDED_ORDERS = 3;

  it('places an order for the partner account and reads its status', async () => {
    const res = await place('order-2f1d6c0a-0001');
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(res.headers.get('cache-control')).toContain('no-store');
    const order = (await res.json()) as PartnerOrder;
    expect(res.headers.get('location')).toBe(`/v1/orders/${order.id}`);
    expect(order).toMatchObject({ status: 'created', currency: 'EUR' });
    expect(order).not.toHaveProperty('customerId');
    expect(order.items.map(({ productId, quantity }) => ({ productId, quantity }))).toEqual(items);
    expect(order.totalAmount).toBe(order.items.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0));

    // The key reaches the orders service namespaced by partner; the call uses partner-bff's own token with orders:write.
    const { lastHeaders } = await stack.sandbox.admin.stats('orders');
    expect(lastHeaders['idempotency-key']).toBe('partner:acme:order-2f1d6c0a-0001');
    const claims = JSON.parse(Buffer.from(String(lastHeaders.authorization).split('.')[1] ?? '', 'base64url').toString()) as {
      scope?: string;
      account?: string;
    };
    expect(claims.scope?.split(' ')).toContain('orders:write');
    expect(claims.account).toBe(KNOWN_IDS.customer);

    const status = await fetch(`${stack.url}${res.headers.get('location')}`, { headers: auth });
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual(order);
  });

  it('answers a replay with the same order (200, Idempotent-Replayed) and never places a second one', async () => {
    const first = await place('order-2f1d6c0a-0002');
    const created = (await first.json()) as PartnerOrder;
    // The same lines in another order are the same order.
    const replay = await place('order-2f1d6c0a-0002', { items: [...items].reverse() });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/v1/orders/${created.id}`);
    expect(await replay.json()).toEqual(created);

    const listed = (await (await fetch(`${stack.url}/v1/orders`, { headers: auth })).json()) as { items: PartnerOrder[] };
    expect(listed.items.filter((order) => order.id === created.id)).toHaveLength(1);
    expect(listed.items).toHaveLength(SEEDED_ORDERS + 1);
    expect(await upstreamOrders()).toHaveLength(SEEDED_ORDERS + 1);
  });

  it('refuses the same key with other items (422), naming no upstream detail', async () => {
    expect((await place('order-2f1d6c0a-0003')).status).toBe(201);
    const body = await expectProblem(
      await place('order-2f1d6c0a-0003', { items: [{ productId: KNOWN_IDS.product, quantity: 3 }] }),
      422,
      'idempotency-key-reused',
    );
    expect(body.detail).toMatch(/Idempotency-Key was already used/);
    expect(JSON.stringify(body)).not.toContain('sandbox');
    expect(await upstreamOrders()).toHaveLength(SEEDED_ORDERS + 1);
  });

  it('names the order line of an unknown product or one without a price (422)', async () => {
    const unknown = await expectProblem(
      await place('order-2f1d6c0a-0004', { items: [items[0], { productId: KNOWN_IDS.productUnknown, quantity: 1 }] }),
      422,
      'unknown-product',
    );
    expect(unknown.detail).toBe(`Product ${KNOWN_IDS.productUnknown} is not in the catalogue.`);
    expect(unknown.errors).toEqual([{ field: 'items.1.productId', in: 'body', constraints: { exists: unknown.detail } }]);
    const noPrice = await expectProblem(
      await place('order-2f1d6c0a-0005', { items: [{ productId: KNOWN_IDS.productNoPrice, quantity: 1 }] }),
      422,
      'product-not-purchasable',
    );
    expect(noPrice.errors).toEqual([{ field: 'items.0.productId', in: 'body', constraints: { purchasable: noPrice.detail } }]);
    expect(await upstreamOrders()).toHaveLength(SEEDED_ORDERS);
    // A refused placement does not use up its key.
    expect((await place('order-2f1d6c0a-0004')).status).toBe(201);
  });

  it('requires a well-formed Idempotency-Key, valid items and the orders:write scope, before any upstream call', async () => {
    const missing = await expectProblem(await place(undefined), 400, 'idempotency-key-missing');
    expect(missing.errors).toEqual([{ field: 'Idempotency-Key', in: 'header', constraints: { required: missing.detail } }]);
    await expectProblem(await place('short'), 400, 'idempotency-key-invalid');
    await expectProblem(await place('has spaces in it'), 400, 'idempotency-key-invalid');
    await expectProblem(await place('k'.repeat(129)), 400, 'idempotency-key-invalid');
    const invalid = await expectProblem(
      await place('order-2f1d6c0a-0006', { items: [{ productId: KNOWN_IDS.product, quantity: 100 }, items[0]] }),
      400,
      'validation-failed',
    );
    expect((invalid.errors as { field: string }[]).map((error) => error.field).sort()).toEqual(['items', 'items.0.quantity']);
    await expectProblem(await place('order-2f1d6c0a-0007', { items: [] }), 400, 'validation-failed');
    const scope = await expectProblem(
      await place('order-2f1d6c0a-0008', { items }, { 'x-api-key': readOnly.key }),
      403,
      'insufficient-scope',
    );
    expect(scope.requiredScopes).toEqual(['orders:write']);
    await expectProblem(await place('order-2f1d6c0a-0009', { items }, {}), 401, 'missing-credentials');
    expect((await stack.sandbox.admin.stats('orders')).byRoute['POST /orders']).toBeUndefined();
  });

  it('retries a transient upstream failure with the same key and places one order', async () => {
    await stack.sandbox.admin.setFaults('orders', [{ path: '/orders', method: 'POST', status: 503, times: 1 }]);
    const res = await place('order-2f1d6c0a-0010');
    expect(res.status).toBe(201);
    const stats = await stack.sandbox.admin.stats('orders');
    expect(stats.byRoute['POST /orders']).toBe(2);
    expect(stats.lastHeaders['idempotency-key']).toBe('partner:acme:order-2f1d6c0a-0010');
    expect(await upstreamOrders()).toHaveLength(SEEDED_ORDERS + 1);
  });

  it('nothing lost: the order commits but its answer is lost (504); the replay with the same key returns it, once', async () => {
    // Every POST commits, then the orders service never answers (longer than the whole deadline).
    await stack.sandbox.admin.setFaults('orders', [{ path: '/orders', method: 'POST', commitThenHangMs: 20_000 }]);
    const started = performance.now();
    const lost = await place('order-2f1d6c0a-0011');
    const elapsed = performance.now() - started;
    expect(lost.status).toBe(504);
    // The last attempt ends at its own timeout or at the request deadline, whichever comes first.
    const type = ((await lost.clone().json()) as { type: string }).type.replace('https://bff.example.com/problems/', '');
    expect(['upstream-timeout', 'deadline-exceeded']).toContain(type);
    const problem = await expectProblem(lost, 504, type);
    expect(elapsed).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(problem.detail).toMatch(/same Idempotency-Key/);
    // Attempts after the first (retries within the deadline) carried the same key: still one order.
    const stats = await stack.sandbox.admin.stats('orders');
    expect(stats.byRoute['POST /orders']).toBeGreaterThanOrEqual(1);
    expect(stats.lastHeaders['idempotency-key']).toBe('partner:acme:order-2f1d6c0a-0011');
    const committed = await upstreamOrders();
    expect(committed).toHaveLength(SEEDED_ORDERS + 1);

    await stack.sandbox.admin.clearFaults('orders');
    const replay = await place('order-2f1d6c0a-0011');
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const order = (await replay.json()) as PartnerOrder;
    expect(order.id).toBe(committed[0]?.id);
    expect(await upstreamOrders()).toHaveLength(SEEDED_ORDERS + 1);
  });
});
