import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { KNOWN_IDS, PARTNER_GATEWAY_CLIENT_ID, partnerAccessToken } from '../sandbox/src/index.ts';
import { expectNotStored, varyOf } from './support/headers.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { expectProblem, postJson, startStack, type Stack } from './support/stack.js';

describe('partner-bff against the real sandbox', () => {
  let stack: Stack;
  // Partners as the platform team registers them: each key bound to a partner, its scopes and (for
  // account data) the partner's customer account.
  const acme = partnerKey('acme', ['catalog:read', 'orders:read'], { account: KNOWN_IDS.customer });
  const globex = partnerKey('globex', ['catalog:read', 'orders:read'], { account: KNOWN_IDS.customerPlatinum });
  const feedOnly = partnerKey('feed-only', ['catalog:read']);
  const noAccount = partnerKey('no-account', ['orders:read']);
  const auth = { 'x-api-key': acme.key };
  beforeAll(async () => {
    stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
      BODY_LIMIT_BYTES: '2048',
      PARTNER_API_KEYS: partnerKeysEnv(acme, globex, feedOnly, noAccount),
      ...partnerClientEnv(sandbox.idp!.issuer),
    }));
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const feed = (query = '', headers: Record<string, string> = auth) => fetch(`${stack.url}/v1/catalog${query}`, { headers });
  const orders = (key: string, path = '') => fetch(`${stack.url}/v1/orders${path}`, { headers: { 'x-api-key': key } });

  it('pages through the catalogue feed with prices and availability', async () => {
    const first = await feed('?limit=5');
    expect(first.status).toBe(200);
    const page1 = await first.json();
    expect(page1.items).toHaveLength(5);
    expect(page1.items[0]).toMatchObject({ id: KNOWN_IDS.firstProduct, price: { currency: 'EUR' }, availability: { inStock: true } });
    expect(typeof page1.nextCursor).toBe('string');
    const page2 = await (await feed(`?limit=5&cursor=${page1.nextCursor}`)).json();
    expect(page2.items[0].id).toBe('p-00006');
    // Prices and stock come from one bulk call each, not one per item.
    expect((await stack.sandbox.admin.stats('pricing')).byRoute).toEqual({ 'GET /prices': 2 });
  });

  it('validates the query: limit bounds and cursor shape', async () => {
    const body = await expectProblem(await feed('?limit=500&cursor=%25%25'), 400, 'validation-failed');
    expect((body.errors as { field: string; in: string }[]).map((e) => `${e.in}:${e.field}`).sort()).toEqual([
      'query:cursor',
      'query:limit',
    ]);
    await expectProblem(await feed('?unknown=1'), 400, 'validation-failed');
  });

  it('maps a cursor the catalogue rejects to 400, never 500', async () => {
    await expectProblem(await feed('?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
  });

  it('degrades availability when inventory fails, keeping the feed', async () => {
    await stack.sandbox.admin.setFaults('inventory', [{ status: 503, retryAfter: 2 }]);
    const res = await feed('?limit=3');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.every((i: { availability: unknown }) => i.availability === null)).toBe(true);
    expect(body.meta.degraded).toEqual([{ section: 'stock', reason: 'unavailable' }]);
    expect(res.headers.get('x-degraded-sections')).toBe('stock');
  });

  it('looks up known ids and answers body errors with problems', async () => {
    const ok = await postJson(`${stack.url}/v1/catalog/lookup`, { ids: [KNOWN_IDS.product, KNOWN_IDS.productUnknown] }, auth);
    expect((await ok.json()).notFound).toEqual([KNOWN_IDS.productUnknown]);
    // One bulk lookup for the list, never one product call per id.
    expect((await stack.sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /products': 1 });
    await expectProblem(await postJson(`${stack.url}/v1/catalog/lookup`, '[', auth), 400, 'malformed-json');
    await expectProblem(
      await postJson(`${stack.url}/v1/catalog/lookup`, { ids: Array.from({ length: 300 }, (_, i) => `p-${i}`) }, auth),
      413,
      'payload-too-large',
    );
    await expectProblem(
      await fetch(`${stack.url}/v1/catalog/lookup`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' }),
      415,
      'unsupported-media-type',
    );
  });

  it('answers unknown routes with 404 and documents the API-key scheme', async () => {
    await expectProblem(await fetch(`${stack.url}/v2/catalog`), 404, 'route-not-found');
    const doc = await (await fetch(`${stack.url}/docs-json`)).json();
    expect(doc.info.title).toBe('Partner BFF (third-party API)');
    expect(doc.components.securitySchemes['api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    expect(doc.paths['/v1/catalog'].get.security).toEqual([{ 'api-key': ['catalog:read'] }]);
    expect(doc.paths['/v1/orders'].get.security).toEqual([{ 'api-key': ['orders:read'] }]);
    expect((await fetch(`${stack.url}/docs`)).status).toBe(200);
  });

  it('requires a valid API key on the catalogue routes', async () => {
    const missing = await feed('', {});
    expect(missing.headers.get('www-authenticate')).toBe('ApiKey realm="partner-bff", header="X-Api-Key"');
    await expectProblem(missing, 401, 'missing-credentials');
    await expectProblem(await postJson(`${stack.url}/v1/catalog/lookup`, { ids: [KNOWN_IDS.product] }), 401, 'missing-credentials');
    // Same id, wrong secret: refused like any unknown key.
    const forged = `${acme.key.slice(0, -4)}AAAA`;
    const body = await expectProblem(await feed('', { 'x-api-key': forged }), 401, 'invalid-api-key');
    expect(JSON.stringify(body)).not.toContain(acme.id);
    expect((await feed('?limit=1', { 'x-api-key': feedOnly.key })).status).toBe(200);
  });

  it("shows a partner only its own account's orders", async () => {
    const token = await partnerAccessToken(stack.sandbox.idp!, { account: KNOWN_IDS.customer, scope: 'orders:read' });
    const upstream = await (
      await fetch(`${stack.sandbox.urls.orders}/orders?customerId=${KNOWN_IDS.customer}`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    expect(upstream.items.length).toBeGreaterThan(0);
    const res = await orders(acme.key);
    expect(res.status).toBe(200);
    const mine = await res.json();
    expect(mine.items.map((o: { id: string }) => o.id)).toEqual(upstream.items.map((o: { id: string }) => o.id));
    expect(mine.items[0]).not.toHaveProperty('customerId');
    expect((await (await orders(acme.key, `/${KNOWN_IDS.order}`)).json()).id).toBe(KNOWN_IDS.order);
    // Partners are not end users: orders are read with partner-bff's own client-credentials token,
    // requested for the partner's account, so the orders service itself shows that account only.
    const authorization = String((await stack.sandbox.admin.stats('orders')).lastHeaders.authorization);
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(authorization.split('.')[1], 'base64url').toString()) as {
      client_id?: string;
      scope?: string;
      account?: string;
    };
    expect(claims.client_id).toBe(PARTNER_GATEWAY_CLIENT_ID);
    expect(claims.scope).toContain('orders:read');
    expect(claims.account).toBe(KNOWN_IDS.customer);

    // Another partner never sees them: not in its list, and a direct read is a plain 404.
    const theirs = await (await orders(globex.key)).json();
    const theirIds = theirs.items.map((o: { id: string }) => o.id);
    expect(theirIds.length).toBeGreaterThan(0);
    expect(theirIds.some((id: string) => mine.items.some((o: { id: string }) => o.id === id))).toBe(false);
    const hidden = await expectProblem(await orders(globex.key, `/${KNOWN_IDS.order}`), 404, 'not-found');
    const unknown = await expectProblem(await orders(globex.key, `/${KNOWN_IDS.orderUnknown}`), 404, 'not-found');
    expect(hidden.detail).toBe(unknown.detail);
  });

  it("sends a partner's orders with Cache-Control: no-store and Vary: X-Api-Key; the cached feed keeps the cache's headers", async () => {
    expectNotStored(await orders(acme.key), 'x-api-key');
    expectNotStored(await orders(acme.key, `/${KNOWN_IDS.order}`), 'x-api-key');
    // @Cached({ scope: 'partner' }): revalidated on every use, never no-store.
    const cached = await feed('?limit=1');
    expect(cached.status).toBe(200);
    expect(cached.headers.get('cache-control')).toBe('private, no-cache');
    expect(varyOf(cached)).toContain('x-api-key');
  });

  it('refuses orders without the orders:read scope or without an account', async () => {
    const body = await expectProblem(await orders(feedOnly.key), 403, 'insufficient-scope');
    expect(body.requiredScopes).toEqual(['orders:read']);
    await expectProblem(await orders(noAccount.key), 403, 'partner-account-missing');
  });
});
