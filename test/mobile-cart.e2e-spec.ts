import { randomUUID } from 'node:crypto';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp, MetricsService } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { getSeedCustomers, KNOWN_IDS, MOBILE_BFF_AUDIENCE, TOKEN_EXCHANGE_GRANT, type Sandbox } from '../sandbox/src/index.ts';
import { dpopProof, generateDpopKey } from './support/dpop.js';
import { MOBILE_APP_SCOPES, mobileExchangeEnv } from './support/mobile-exchange.js';
import { decodeJwt, nativeAppLogin } from './support/oauth.js';
import { freePort } from './support/process.js';
import { appEnv, expectProblem, isolatedRedisNamespaces, startStack, upstreamEnvFor, type Stack } from './support/stack.js';

/**
 * mobile-bff cart, checkout and orders against the real sandbox, its real IdP and Redis (when REDIS_URL is
 * set): the app's tokens come from code + PKCE through the IdP's forms (audience mobile-bff), and every
 * carts/orders call carries the token the IdP exchanged them for (RFC 8693, audience = the retail API),
 * which the sandbox services verify like any resource server.
 */
const ALL_SCOPES = MOBILE_APP_SCOPES;

function exchangeEnv(sandbox: Sandbox): Record<string, string> {
  return { ...mobileExchangeEnv(sandbox), AUTH_FAILURE_MAX: '1000' };
}

describe('mobile-bff cart, checkout and orders (token exchange to the retail API)', () => {
  let stack: Stack;
  const customers = getSeedCustomers();
  /** A signed-in customer of the seed (each test its own, so carts never collide). */
  const login = async (index: number, scope = ALL_SCOPES) => {
    const customer = customers[index];
    const tokens = await nativeAppLogin(stack.sandbox.idp!, { scope, email: customer.email, password: customer.password });
    return { id: customer.id, token: tokens.accessToken, auth: { authorization: `Bearer ${tokens.accessToken}` } };
  };
  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${stack.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const exchanges = () => stack.sandbox.idp!.stats().tokenRequests[TOKEN_EXCHANGE_GRANT] ?? 0;

  beforeAll(async () => {
    stack = await startStack(MobileBffModule, MOBILE_BFF, exchangeEnv);
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    stack.sandbox.idp!.clearTokenFaults();
    await stack.sandbox.admin.clearFaults();
  });

  it('views and edits the cart in compact shapes; every read and write is the caller’s own cart', async () => {
    const alice = await login(10);
    const empty = await call('GET', '/api/v1/cart', alice.auth);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      lines: [],
      itemCount: 0,
      subtotal: { amount: 0, currency: null, complete: true },
      meta: { degraded: [] },
    });

    const added = await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 2 });
    expect(added.status).toBe(200);
    expect(added.headers.get('cache-control')).toBe('no-store');
    const cart = await added.json();
    expect(cart.itemCount).toBe(2);
    expect(Object.keys(cart.lines[0]).sort()).toEqual(['inStock', 'lineAmount', 'name', 'price', 'productId', 'quantity', 'thumbnail']);
    expect(Object.keys(cart.lines[0].price).sort()).toEqual(['amount', 'currency']);
    expect(cart.lines[0]).toMatchObject({ productId: KNOWN_IDS.product, quantity: 2, lineAmount: cart.lines[0].price.amount * 2 });
    expect(cart.subtotal).toEqual({ amount: cart.lines[0].lineAmount, currency: cart.lines[0].price.currency, complete: true });

    // The write forgot the cached cart: the next read shows it at once.
    const read = await (await call('GET', '/api/v1/cart', alice.auth)).json();
    expect(read).toEqual(cart);

    const patched = await (await call('PATCH', `/api/v1/cart/items/${KNOWN_IDS.product}`, alice.auth, { quantity: 5 })).json();
    expect(patched.lines[0].quantity).toBe(5);
    expect((await (await call('GET', '/api/v1/cart', alice.auth)).json()).itemCount).toBe(5);

    const removed = await call('DELETE', `/api/v1/cart/items/${KNOWN_IDS.product}`, alice.auth);
    expect((await removed.json()).lines).toEqual([]);
    const again = await call('DELETE', `/api/v1/cart/items/${KNOWN_IDS.product}`, alice.auth);
    expect(again.status).toBe(200);

    await expectProblem(
      await call('PATCH', `/api/v1/cart/items/${KNOWN_IDS.product}`, alice.auth, { quantity: 1 }),
      404,
      'item-not-in-cart',
    );
    await expectProblem(
      await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.productUnknown, quantity: 1 }),
      422,
      'unknown-product',
    );
    await expectProblem(
      await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 0 }),
      400,
      'validation-failed',
    );
    await expectProblem(
      await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 100 }),
      400,
      'validation-failed',
    );
  });

  it('answers the cart GET with a private ETag: If-None-Match is a 304, a change a new ETag', async () => {
    const alice = await login(11);
    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 1 });
    const first = await call('GET', '/api/v1/cart', alice.auth);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')?.toLowerCase()).toContain('authorization');

    const notModified = await call('GET', '/api/v1/cart', { ...alice.auth, 'if-none-match': etag! });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');

    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 1 });
    const changed = await call('GET', '/api/v1/cart', { ...alice.auth, 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect((await changed.json()).itemCount).toBe(2);

    // Another customer with the same request never gets alice's entry.
    const bob = await login(12);
    const bobs = await call('GET', '/api/v1/cart', { ...bob.auth, 'if-none-match': changed.headers.get('etag')! });
    expect(bobs.status).toBe(200);
    expect((await bobs.json()).itemCount).toBe(0);
  });

  it('degrades price and stock instead of failing; a degraded cart is never stored', async () => {
    const alice = await login(21);
    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 1 });
    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.productNoPrice, quantity: 1 });
    const partial = await (await call('GET', '/api/v1/cart', alice.auth)).json();
    expect(partial.lines[1]).toMatchObject({ productId: KNOWN_IDS.productNoPrice, price: null, lineAmount: null });
    expect(partial.subtotal).toEqual({ amount: partial.lines[0].lineAmount, currency: partial.lines[0].price.currency, complete: false });

    await call('PATCH', `/api/v1/cart/items/${KNOWN_IDS.product}`, alice.auth, { quantity: 2 });
    await stack.sandbox.admin.setFaults('pricing', [{ status: 503 }]);
    await stack.sandbox.admin.setFaults('inventory', [{ status: 503 }]);
    const degraded = await call('GET', '/api/v1/cart', alice.auth);
    expect(degraded.status).toBe(200);
    expect(degraded.headers.get('x-degraded-sections')).toBe('cart-price,cart-stock');
    const body = await degraded.json();
    expect(
      body.lines.every(
        (l: { price: unknown; inStock: unknown; name: unknown }) => l.price === null && l.inStock === null && l.name !== null,
      ),
    ).toBe(true);
    expect(body.subtotal).toEqual({ amount: 0, currency: null, complete: false });
    expect(body.meta.degraded.map((d: { section: string }) => d.section)).toEqual(['cart-price', 'cart-stock']);

    await stack.sandbox.admin.clearFaults();
    const healed = await call('GET', '/api/v1/cart', alice.auth);
    expect(healed.headers.get('x-degraded-sections')).toBeNull();
    expect((await healed.json()).lines[0].price).not.toBeNull();
  });

  it('exchanges each mobile token once (cached, single-flight) for an at+jwt of the retail API carrying the same subject', async () => {
    const alice = await login(13);
    const before = exchanges();
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/api/v1/cart', alice.auth)));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 1 });
    expect(exchanges() - before).toBe(1);
    // The mobile token itself is for mobile-bff only: the carts service would refuse it.
    expect(decodeJwt(alice.token).payload.aud).toBe(MOBILE_BFF_AUDIENCE);
    const direct = await fetch(`${stack.sandbox.urls.carts}/carts/cart-${alice.id}`, { headers: alice.auth });
    expect(direct.status).toBe(401);
  });

  it('checks out exactly once per Idempotency-Key: replay, key reuse with another cart, empty cart, missing key', async () => {
    const alice = await login(14);
    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 2 });
    await expectProblem(await call('POST', '/api/v1/checkout', alice.auth), 400, 'idempotency-key-missing');
    await expectProblem(
      await call('POST', '/api/v1/checkout', { ...alice.auth, 'idempotency-key': 'short' }),
      400,
      'idempotency-key-invalid',
    );

    const key = randomUUID();
    const placed = await call('POST', '/api/v1/checkout', { ...alice.auth, 'idempotency-key': key });
    expect(placed.status).toBe(201);
    const order = await placed.json();
    expect(placed.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect(placed.headers.get('idempotent-replayed')).toBeNull();
    expect(Object.keys(order).sort()).toEqual(['createdAt', 'currency', 'id', 'itemCount', 'lines', 'status', 'totalAmount']);
    expect(order).toMatchObject({ itemCount: 2, lines: [{ productId: KNOWN_IDS.product, quantity: 2 }] });
    expect((await (await call('GET', '/api/v1/cart', alice.auth)).json()).lines).toEqual([]);

    const replay = await call('POST', '/api/v1/checkout', { ...alice.auth, 'idempotency-key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect((await replay.json()).id).toBe(order.id);

    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 1 });
    await expectProblem(await call('POST', '/api/v1/checkout', { ...alice.auth, 'idempotency-key': key }), 422, 'idempotency-key-reused');
    expect((await (await call('GET', '/api/v1/cart', alice.auth)).json()).itemCount).toBe(1);

    await call('DELETE', `/api/v1/cart/items/${KNOWN_IDS.product}`, alice.auth);
    await expectProblem(await call('POST', '/api/v1/checkout', { ...alice.auth, 'idempotency-key': randomUUID() }), 422, 'cart-empty');

    const list = await call('GET', '/api/v1/orders', alice.auth);
    expect(list.status).toBe(200);
    const page = await list.json();
    expect(page.items[0]).toEqual({
      id: order.id,
      status: order.status,
      totalAmount: order.totalAmount,
      currency: order.currency,
      itemCount: 2,
      createdAt: order.createdAt,
    });
  });

  it('lists and shows the caller’s orders only: another customer’s order is a 404, their lists never mix', async () => {
    const alice = await login(15);
    const bob = await login(16);
    await call('POST', '/api/v1/cart/items', alice.auth, { productId: KNOWN_IDS.product, quantity: 1 });
    const order = await (await call('POST', '/api/v1/checkout', { ...alice.auth, 'idempotency-key': randomUUID() })).json();

    const detail = await call('GET', `/api/v1/orders/${order.id}`, alice.auth);
    expect(detail.status).toBe(200);
    expect(await detail.json()).toEqual(order);
    const etag = detail.headers.get('etag')!;
    expect((await call('GET', `/api/v1/orders/${order.id}`, { ...alice.auth, 'if-none-match': etag })).status).toBe(304);

    await expectProblem(await call('GET', `/api/v1/orders/${order.id}`, bob.auth), 404, 'not-found');
    const bobs = await (await call('GET', '/api/v1/orders?limit=30', bob.auth)).json();
    expect(bobs.items.map((o: { id: string }) => o.id)).not.toContain(order.id);

    const paged = await (await call('GET', '/api/v1/orders?limit=1', alice.auth)).json();
    expect(paged.items).toHaveLength(1);
    await expectProblem(await call('GET', '/api/v1/orders?limit=31', alice.auth), 400, 'validation-failed');
    await expectProblem(await call('GET', '/api/v1/orders?cursor=nope', alice.auth), 400, 'validation-failed');
  });

  it('refuses a token without the route’s scope (403) and without a token (401)', async () => {
    const catalogOnly = await login(17, 'catalog:read');
    const cartOnly = await login(17, 'catalog:read cart:write');
    await expectProblem(await call('GET', '/api/v1/cart', catalogOnly.auth), 403, 'insufficient-scope');
    await expectProblem(
      await call('POST', '/api/v1/cart/items', catalogOnly.auth, { productId: KNOWN_IDS.product, quantity: 1 }),
      403,
      'insufficient-scope',
    );
    await expectProblem(await call('GET', '/api/v1/orders', cartOnly.auth), 403, 'insufficient-scope');
    await expectProblem(
      await call('POST', '/api/v1/checkout', { ...cartOnly.auth, 'idempotency-key': randomUUID() }),
      403,
      'insufficient-scope',
    );
    await expectProblem(await call('GET', '/api/v1/cart', {}), 401, 'missing-credentials');
  });

  it('works with a DPoP-bound mobile token: the proof is checked here, the exchanged token goes upstream as a bearer', async () => {
    const customer = customers[18];
    const key = await generateDpopKey();
    const bound = await nativeAppLogin(stack.sandbox.idp!, {
      scope: ALL_SCOPES,
      email: customer.email,
      password: customer.password,
      dpop: key,
    });
    expect(bound.tokenType).toBe('DPoP');
    const dpop = async (method: string, path: string) => ({
      authorization: `DPoP ${bound.accessToken}`,
      dpop: await dpopProof(key, { htm: method, htu: `${stack.url}${path}`, accessToken: bound.accessToken }),
    });
    const added = await call('POST', '/api/v1/cart/items', await dpop('POST', '/api/v1/cart/items'), {
      productId: KNOWN_IDS.product,
      quantity: 3,
    });
    expect(added.status).toBe(200);
    expect((await added.json()).itemCount).toBe(3);
    const read = await call('GET', '/api/v1/cart', await dpop('GET', '/api/v1/cart'));
    expect((await read.json()).itemCount).toBe(3);
    // Without the proof the bound token is refused before anything is exchanged.
    const before = exchanges();
    const bare = await call('GET', '/api/v1/cart', { authorization: `Bearer ${bound.accessToken}` });
    expect(bare.status).toBe(401);
    expect(exchanges()).toBe(before);
  });

  it('answers a problem, never a stack, when the IdP cannot or will not exchange the token', async () => {
    /** bff_auth_token_exchanges_total for one outcome, as /metrics exposes it. */
    const counted = async (outcome: string): Promise<number> => {
      const line = new RegExp(`^bff_auth_token_exchanges_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm');
      return Number(line.exec(await stack.app.get(MetricsService).exposition())?.[1] ?? 0);
    };
    const [ok, failed, refused] = [await counted('ok'), await counted('failed'), await counted('refused')];
    const alice = await login(19);
    stack.sandbox.idp!.setTokenFaults([{ grantType: TOKEN_EXCHANGE_GRANT, status: 503 }]);
    const down = await call('GET', '/api/v1/cart', alice.auth);
    const problem = await expectProblem(down, 503, 'token-exchange-unavailable');
    expect(down.headers.get('retry-after')).toBe('5');
    expect(JSON.stringify(problem)).not.toMatch(/injected|server_error|token endpoint/);

    // The provider back, after the 1 s hold: the same token is exchanged and served.
    stack.sandbox.idp!.clearTokenFaults();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await call('GET', '/api/v1/cart', alice.auth)).status).toBe(200);

    // invalid_grant (the provider will not exchange this caller's token): the caller must sign in again.
    const bob = await login(20);
    stack.sandbox.idp!.setTokenFaults([{ grantType: TOKEN_EXCHANGE_GRANT, error: 'invalid_grant' }]);
    await expectProblem(
      await call('POST', '/api/v1/checkout', { ...bob.auth, 'idempotency-key': randomUUID() }),
      401,
      'token-exchange-refused',
    );
    // One provider request each: the 1 s hold answered no other request.
    expect([(await counted('ok')) - ok, (await counted('failed')) - failed, (await counted('refused')) - refused]).toEqual([1, 1, 1]);
  });
});

describe('mobile-bff token exchange with the IdP unreachable or not configured', () => {
  let stack: Stack;
  const apps: NestFastifyApplication[] = [];

  async function boot(env: Record<string, string>): Promise<string> {
    const app = await createPlatformApp(MobileBffModule, MOBILE_BFF, {
      env: appEnv({
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        ...isolatedRedisNamespaces(),
        ...upstreamEnvFor(stack.sandbox),
        ...env,
      }),
    });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  }

  beforeAll(async () => {
    stack = await startStack(MobileBffModule, MOBILE_BFF, exchangeEnv);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await stack?.close();
  });

  it('IdP token endpoint down: 503 problem; the catalogue screens still answer', async () => {
    const url = await boot({ ...exchangeEnv(stack.sandbox), JWT_TOKEN_EXCHANGE_ISSUER: `http://127.0.0.1:${await freePort()}` });
    const { accessToken } = await nativeAppLogin(stack.sandbox.idp!, { scope: ALL_SCOPES });
    const res = await fetch(`${url}/api/v1/cart`, { headers: { authorization: `Bearer ${accessToken}` } });
    await expectProblem(res, 503, 'token-exchange-unavailable');
    const card = await fetch(`${url}/api/v1/products/${KNOWN_IDS.product}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(card.status).toBe(200);
  });

  it('not configured: the cart routes answer 503 and never relay the mobile token upstream', async () => {
    const { JWT_ISSUER, JWT_AUDIENCE } = exchangeEnv(stack.sandbox);
    const url = await boot({ JWT_ISSUER: JWT_ISSUER, JWT_AUDIENCE: JWT_AUDIENCE });
    const { accessToken } = await nativeAppLogin(stack.sandbox.idp!, { scope: ALL_SCOPES });
    const before = (await stack.sandbox.admin.stats('carts')).requests;
    await expectProblem(
      await fetch(`${url}/api/v1/cart`, { headers: { authorization: `Bearer ${accessToken}` } }),
      503,
      'token-exchange-unavailable',
    );
    expect((await stack.sandbox.admin.stats('carts')).requests).toBe(before);
  });
});
