import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { customerAccessToken, KNOWN_IDS, MOBILE_BFF_RESOURCE, partnerAccessToken, startSandbox, type Sandbox } from '../src/index.ts';
import { getJson, sendJson, start } from './support.ts';

const ALICE = KNOWN_IDS.customer;
const PLATINUM = KNOWN_IDS.customerPlatinum;
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const PROBLEM = 'https://sandbox.bff.local/problems/';

describe('authorization of customers, carts and orders (authz: jwt)', () => {
  let sandbox: Sandbox;
  let alice: string;
  let platinum: string;
  let aliceCatalogOnly: string;
  beforeAll(async () => {
    sandbox = await start();
    [alice, platinum, aliceCatalogOnly] = await Promise.all([
      customerAccessToken(sandbox.idp!, ALICE),
      customerAccessToken(sandbox.idp!, PLATINUM),
      customerAccessToken(sandbox.idp!, ALICE, { scope: 'catalog:read' }),
    ]);
  });
  afterAll(() => sandbox?.close());

  const customer = (id: string, token?: string) =>
    getJson<Record<string, unknown>>(`${sandbox.urls.customers}/customers/${id}`, { headers: token === undefined ? {} : bearer(token) });

  it('is on by default and reads the own customer, cart and orders', async () => {
    expect(sandbox.authz).toBe('jwt');
    expect((await customer(ALICE, alice)).body).toMatchObject({ id: ALICE });
    expect((await getJson(`${sandbox.urls.carts}/carts/cart-${ALICE}`, { headers: bearer(alice) })).status).toBe(200);
    const own = await getJson<{ items: { customerId: string }[] }>(`${sandbox.urls.orders}/orders`, { headers: bearer(alice) });
    expect(own.status).toBe(200);
    expect(own.body.items.length).toBeGreaterThan(0);
    expect(new Set(own.body.items.map((o) => o.customerId))).toEqual(new Set([ALICE]));
    const order = await getJson<{ id: string }>(`${sandbox.urls.orders}/orders/${KNOWN_IDS.order}`, { headers: bearer(alice) });
    expect(order.body.id).toBe(KNOWN_IDS.order);
  });

  it("refuses another customer's data: customer and cart 403, order 404, listing 403", async () => {
    const other = await customer(ALICE, platinum);
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ type: `${PROBLEM}forbidden`, status: 403, instance: `/customers/${ALICE}` });
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await getJson(`${sandbox.urls.carts}/carts/cart-${ALICE}`, { headers: bearer(platinum) })).status).toBe(403);
    const add = await sendJson(
      `${sandbox.urls.carts}/carts/cart-${ALICE}/items`,
      'POST',
      { productId: KNOWN_IDS.product, quantity: 1 },
      bearer(platinum),
    );
    expect(add.status).toBe(403);
    expect((await getJson(`${sandbox.urls.orders}/orders/${KNOWN_IDS.order}`, { headers: bearer(platinum) })).status).toBe(404);
    expect((await getJson(`${sandbox.urls.orders}/orders?customerId=${ALICE}`, { headers: bearer(platinum) })).status).toBe(403);
    const place = await sendJson(
      `${sandbox.urls.orders}/orders`,
      'POST',
      { customerId: ALICE, items: [{ productId: KNOWN_IDS.product, quantity: 1 }] },
      { ...bearer(platinum), 'idempotency-key': 'authz-other-customer' },
    );
    expect(place.status).toBe(403);
  });

  it('changes only the own cart and places orders for the own customer', async () => {
    const add = await sendJson<{ customerId: string }>(
      `${sandbox.urls.carts}/carts/cart-${PLATINUM}/items`,
      'POST',
      { productId: KNOWN_IDS.product, quantity: 1 },
      bearer(platinum),
    );
    expect(add.status).toBe(200);
    expect(add.body.customerId).toBe(PLATINUM);
    const place = await sendJson<{ customerId: string }>(
      `${sandbox.urls.orders}/orders`,
      'POST',
      { customerId: PLATINUM, items: [{ productId: KNOWN_IDS.product, quantity: 1 }] },
      { ...bearer(platinum), 'idempotency-key': 'authz-own-order' },
    );
    expect(place.status).toBe(201);
    expect(place.body.customerId).toBe(PLATINUM);
    await sandbox.admin.reset();
  });

  it('answers no token with 401 and a plain Bearer challenge (RFC 6750 §3.1)', async () => {
    for (const url of [
      `${sandbox.urls.customers}/customers/${ALICE}`,
      `${sandbox.urls.carts}/carts/cart-${ALICE}`,
      `${sandbox.urls.orders}/orders`,
    ]) {
      const res = await getJson(url);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="retail"');
      expect(res.body).toMatchObject({ type: `${PROBLEM}unauthorized`, status: 401 });
    }
    // Another scheme is no bearer token either.
    const basic = await getJson(`${sandbox.urls.orders}/orders`, { headers: { authorization: 'Basic YTpi' } });
    expect(basic.headers.get('www-authenticate')).toBe('Bearer realm="retail"');
  });

  it('answers an invalid, tampered or wrong-audience token with 401 invalid_token', async () => {
    const [header, payload] = alice.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: PLATINUM })).toString('base64url')}.${alice.split('.')[2]}`;
    const mobile = await customerAccessToken(sandbox.idp!, ALICE, { scope: 'customers:read', resource: MOBILE_BFF_RESOURCE });
    const cases: [string, string][] = [
      ['not-a-jwt', 'malformed token'],
      [forged, 'signature not verified'],
      [mobile, 'unexpected aud'],
    ];
    for (const [token, description] of cases) {
      const res = await customer(ALICE, token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ type: `${PROBLEM}invalid-token`, status: 401 });
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer realm="retail", error="invalid_token", error_description="/);
      expect(challenge).toContain(`error_description="${description}"`);
    }
  });

  it('answers a token without the operation scope with 403 insufficient_scope', async () => {
    const res = await customer(ALICE, aliceCatalogOnly);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="retail", error="insufficient_scope", scope="customers:read"');
    expect(res.body).toMatchObject({ type: `${PROBLEM}insufficient-scope` });
    const readOnly = await partnerAccessToken(sandbox.idp!, { account: ALICE, scope: 'orders:read' });
    const place = await sendJson(
      `${sandbox.urls.orders}/orders`,
      'POST',
      { customerId: ALICE, items: [{ productId: KNOWN_IDS.product, quantity: 1 }] },
      { ...bearer(readOnly), 'idempotency-key': 'authz-read-only' },
    );
    expect(place.status).toBe(403);
    expect(place.headers.get('www-authenticate')).toContain('scope="orders:write"');
  });

  it("scopes a partner client-credentials token to its account's orders", async () => {
    const acme = await partnerAccessToken(sandbox.idp!, { account: ALICE });
    const claims = JSON.parse(Buffer.from(acme.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ account: ALICE, client_id: 'partner-gateway', aud: 'https://api.retail.example' });
    const own = await getJson<{ items: { customerId: string }[] }>(`${sandbox.urls.orders}/orders?customerId=${ALICE}`, {
      headers: bearer(acme),
    });
    expect(own.status).toBe(200);
    expect(own.body.items.every((o) => o.customerId === ALICE)).toBe(true);
    expect((await getJson(`${sandbox.urls.orders}/orders/${KNOWN_IDS.order}`, { headers: bearer(acme) })).status).toBe(200);
    expect((await getJson(`${sandbox.urls.orders}/orders?customerId=${PLATINUM}`, { headers: bearer(acme) })).status).toBe(403);

    const globex = await partnerAccessToken(sandbox.idp!, { account: PLATINUM });
    expect((await getJson(`${sandbox.urls.orders}/orders/${KNOWN_IDS.order}`, { headers: bearer(globex) })).status).toBe(404);
    // A client token bound to no account sees no customer's orders.
    const unbound = await partnerAccessToken(sandbox.idp!);
    expect((await getJson(`${sandbox.urls.orders}/orders`, { headers: bearer(unbound) })).status).toBe(403);
    expect((await getJson(`${sandbox.urls.orders}/orders/${KNOWN_IDS.order}`, { headers: bearer(unbound) })).status).toBe(404);
  });

  it('issues the account claim to partner clients only, for a known account, with client credentials only', async () => {
    await expect(partnerAccessToken(sandbox.idp!, { account: KNOWN_IDS.customerUnknown })).rejects.toThrow(/400: invalid_request/);
    const { token_endpoint } = (await (await fetch(`${sandbox.idp!.issuer}/.well-known/openid-configuration`)).json()) as {
      token_endpoint: string;
    };
    const web = await fetch(token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('web-bff:web-bff-dev-secret').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', account: ALICE }),
    });
    expect(web.status).toBe(400);
    expect(((await web.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('expiry and authz: off', () => {
  it('refuses an expired token with 401 invalid_token', async () => {
    const sandbox = await startSandbox({ basePort: 0, profile: 'bench', services: ['customers'], idp: { accessTokenTtlSeconds: 1 } });
    try {
      const token = await customerAccessToken(sandbox.idp!, ALICE, { scope: 'customers:read' });
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const res = await getJson(`${sandbox.urls.customers}/customers/${ALICE}`, { headers: bearer(token) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error_description="expired"');
    } finally {
      await sandbox.close();
    }
  });

  it("with authz: 'off' (and without the IdP) serves every customer's data without a token", async () => {
    const off = await startSandbox({ basePort: 0, profile: 'bench', services: ['customers', 'orders'], authz: 'off' });
    const noIdp = await startSandbox({ basePort: 0, profile: 'bench', services: ['customers'], idp: false });
    try {
      expect(off.authz).toBe('off');
      expect((await getJson(`${off.urls.customers}/customers/${ALICE}`)).status).toBe(200);
      expect((await getJson(`${off.urls.orders}/orders?customerId=${PLATINUM}`)).status).toBe(200);
      expect(noIdp.authz).toBe('off');
      expect((await getJson(`${noIdp.urls.customers}/customers/${ALICE}`)).status).toBe(200);
      await expect(startSandbox({ basePort: 0, services: ['customers'], idp: false, authz: 'jwt' })).rejects.toThrow(/authz 'jwt'/);
    } finally {
      await Promise.all([off.close(), noIdp.close()]);
    }
  });
});
