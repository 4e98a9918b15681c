import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { KNOWN_IDS, MOBILE_BFF_AUDIENCE } from '../sandbox/src/index.ts';
import { expectNotStored } from './support/headers.js';
import { nativeAppLogin } from './support/oauth.js';
import { expectProblem, postJson, startStack, type Stack } from './support/stack.js';

describe('mobile-bff against the real sandbox', () => {
  let stack: Stack;
  /** `Authorization` of a real user token: auth code + PKCE through the sandbox IdP's login forms. */
  let auth: Record<string, string>;
  beforeAll(async () => {
    // Aggregation behaviour without the route cache in front (every request reaches the upstreams); the cached
    // screens and the card's ETag/304 are covered by test/mobile-screens.e2e-spec.ts.
    stack = await startStack(MobileBffModule, MOBILE_BFF, (sandbox) => ({
      CACHE_ENABLED: 'false',
      BODY_LIMIT_BYTES: '2048',
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
    }));
    const tokens = await nativeAppLogin(stack.sandbox.idp!, { scope: 'catalog:read' });
    auth = { authorization: `Bearer ${tokens.accessToken}` };
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const card = (id: string, init?: RequestInit) =>
    fetch(`${stack.url}/api/v1/products/${id}`, { ...init, headers: { ...auth, ...init?.headers } });

  it('returns a compact product card', async () => {
    const res = await card(KNOWN_IDS.product);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['id', 'inStock', 'meta', 'name', 'price', 'rating', 'thumbnail']);
    expect(body).toMatchObject({ id: KNOWN_IDS.product, inStock: true, price: { currency: 'EUR' }, meta: { degraded: [] } });
    expect(typeof body.rating).toBe('number');
  });

  it('marks unknown stock as null and lists the degraded section', async () => {
    const res = await card(KNOWN_IDS.productNoStock);
    const body = await res.json();
    expect(body.inStock).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'stock', reason: 'not_found' }]);
  });

  it('serves the card when the rating service times out, within its budget', async () => {
    await stack.sandbox.admin.setFaults('reviews', [{ latencyMs: 1_500 }]);
    const started = performance.now();
    const body = await (await card(KNOWN_IDS.product)).json();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(body.rating).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'rating', reason: 'timeout' }]);
  });

  it('answers 404 for an unknown product, 400 for a malformed id', async () => {
    await expectProblem(await card(KNOWN_IDS.productUnknown), 404, 'not-found');
    await expectProblem(await card('no%20way'), 400, 'validation-failed');
  });

  it('batches cards for a list screen and reports unknown ids', async () => {
    const res = await postJson(
      `${stack.url}/api/v1/products/cards`,
      { ids: [KNOWN_IDS.product, KNOWN_IDS.productUnknown, KNOWN_IDS.productAlt] },
      auth,
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([KNOWN_IDS.product, KNOWN_IDS.productAlt]);
    expect(body.notFound).toEqual([KNOWN_IDS.productUnknown]);
    // One bulk lookup for the list, never one product call per id.
    expect((await stack.sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /products': 1 });
  });

  it('sends the cards of a signed-in user with Cache-Control: no-store and Vary: Authorization', async () => {
    const single = await card(KNOWN_IDS.product);
    expect(single.status).toBe(200);
    expectNotStored(single, 'authorization');
    const list = await postJson(`${stack.url}/api/v1/products/cards`, { ids: [KNOWN_IDS.product] }, auth);
    expect(list.status).toBe(200);
    expectNotStored(list, 'authorization');
  });

  it('answers body errors with problems: malformed JSON, 415, 413, validation', async () => {
    const url = `${stack.url}/api/v1/products/cards`;
    await expectProblem(await postJson(url, '{not json', auth), 400, 'malformed-json');
    await expectProblem(
      await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/xml' }, body: '<ids/>' }),
      415,
      'unsupported-media-type',
    );
    await expectProblem(await postJson(url, { ids: Array.from({ length: 300 }, (_, i) => `p-${i}`) }, auth), 413, 'payload-too-large');
    const body = await expectProblem(await postJson(url, { ids: ['ok', 'not ok'] }, auth), 400, 'validation-failed');
    expect(body.errors).toEqual([{ field: 'ids', in: 'body', constraints: { matches: 'each id must be 1-64 letters, digits, - or _' } }]);
  });

  it('echoes the request id and answers unknown routes with 404', async () => {
    const res = await fetch(`${stack.url}/api/v2/whatever`, { headers: { 'x-request-id': 'ios-7f3a' } });
    const body = await expectProblem(res, 404, 'route-not-found');
    expect(body.requestId).toBe('ios-7f3a');
  });

  it('requires a bearer token with the catalog:read scope on every card route', async () => {
    const anonymous = await fetch(`${stack.url}/api/v1/products/${KNOWN_IDS.product}`);
    // JWT_DPOP=optional (default): both schemes are offered (RFC 9449 §7.1).
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="mobile-bff", DPoP realm="mobile-bff", algs="[^"]+"$/);
    await expectProblem(anonymous, 401, 'missing-credentials');
    await expectProblem(await postJson(`${stack.url}/api/v1/products/cards`, { ids: [KNOWN_IDS.product] }), 401, 'missing-credentials');
    // A real token for the mobile BFF, but without the scope the routes require.
    const noScope = await nativeAppLogin(stack.sandbox.idp!, { scope: 'orders:read' });
    const body = await expectProblem(
      await card(KNOWN_IDS.product, { headers: { authorization: `Bearer ${noScope.accessToken}` } }),
      403,
      'insufficient-scope',
    );
    expect(body.requiredScopes).toEqual(['catalog:read']);
  });

  it('documents bearer JWT security in its OpenAPI document, and /docs stays public', async () => {
    const doc = await (await fetch(`${stack.url}/docs-json`)).json();
    expect(doc.info.title).toBe('Mobile BFF (native apps)');
    expect(doc.components.securitySchemes.jwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.paths['/api/v1/products/{id}'].get.security).toEqual([{ jwt: ['catalog:read'] }]);
    expect((await fetch(`${stack.url}/docs`)).status).toBe(200);
  });
});
