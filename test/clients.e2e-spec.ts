import { createMobileBffClient, type MobileBffClient } from '@bff-clients/mobile-bff';
import { createPartnerBffClient, ProblemError, send, type PartnerBffClient } from '@bff-clients/partner-bff';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { KNOWN_IDS, MOBILE_BFF_AUDIENCE } from '../sandbox/src/index.ts';
import { dpopProof, generateDpopKey } from './support/dpop.js';
import { nativeAppLogin } from './support/oauth.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * The generated clients against the real apps and the real sandbox (its IdP included): typed data,
 * degraded sections, and problems surfaced as ProblemError with the request id the app logged.
 * The web-bff client is driven in Chromium by test/storefront.browser.e2e-spec.ts (the storefront uses it).
 */

const failure = (call: Promise<unknown>): Promise<ProblemError> =>
  call.then(
    () => {
      throw new Error('expected a ProblemError');
    },
    (error: unknown) => {
      if (!(error instanceof ProblemError)) throw error;
      return error;
    },
  );

describe('@bff-clients/partner-bff against partner-bff', () => {
  let stack: Stack;
  let api: PartnerBffClient;
  const acme = partnerKey('acme', ['catalog:read', 'orders:read']);
  beforeAll(async () => {
    stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
      PARTNER_API_KEYS: partnerKeysEnv(acme),
      ...partnerClientEnv(sandbox.idp!.issuer),
    }));
    api = createPartnerBffClient({ baseUrl: stack.url, auth: { kind: 'api-key', key: acme.key }, timeoutMs: 10_000 });
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  it('pages the feed with typed data and the request id', async () => {
    const page = await send(api.GET('/v1/catalog', { params: { query: { limit: 3 } } }));
    expect(page.status).toBe(200);
    expect(page.data.items.map((item) => item.id)[0]).toBe(KNOWN_IDS.firstProduct);
    expect(page.requestId).toMatch(/\S/);
    expect(page.degraded).toEqual([]);
  });

  it('reports degraded stock in meta.degraded and the typed degraded list', async () => {
    await stack.sandbox.admin.setFaults('inventory', [{ status: 503 }]);
    // Another page than the first test's: partner-bff caches feed pages.
    const page = await send(api.GET('/v1/catalog', { params: { query: { limit: 4 } } }));
    const sections: ('prices' | 'stock')[] = page.degraded;
    expect(sections).toEqual(['stock']);
    expect(page.data.meta.degraded).toEqual([{ section: 'stock', reason: 'unavailable' }]);
  });

  it('throws a ProblemError with the validation errors and the response request id', async () => {
    const error = await failure(send(api.GET('/v1/catalog', { params: { query: { limit: 500 } } })));
    expect(error).toMatchObject({ kind: 'http', status: 400, title: 'Bad Request' });
    expect(error.type).toMatch(/validation-failed$/);
    expect(error.errors?.map((e) => e.field)).toEqual(['limit']);
    expect(error.requestId).toBe(error.response?.headers.get('x-request-id'));
  });

  it('throws a 401 ProblemError for an unknown key', async () => {
    const stranger = createPartnerBffClient({ baseUrl: stack.url, auth: { kind: 'api-key', key: 'bffpk_unknown_0000000000000000' } });
    const error = await failure(send(stranger.GET('/v1/catalog')));
    expect(error).toMatchObject({ kind: 'http', status: 401 });
    expect(error.requestId).toMatch(/\S/);
  });
});

describe('@bff-clients/mobile-bff against mobile-bff and the real IdP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(MobileBffModule, MOBILE_BFF, (sandbox) => ({
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      AUTH_FAILURE_MAX: '1000',
    }));
  });
  afterAll(() => stack?.close());

  const card = (api: MobileBffClient) => send(api.GET('/api/v1/products/{id}', { params: { path: { id: KNOWN_IDS.product } } }));

  it('calls with a bearer token from the IdP', async () => {
    const { accessToken } = await nativeAppLogin(stack.sandbox.idp!, { scope: 'catalog:read' });
    const result = await card(createMobileBffClient({ baseUrl: stack.url, auth: { kind: 'bearer', token: () => accessToken } }));
    expect(result.data.id).toBe(KNOWN_IDS.product);
  });

  it('calls with a DPoP-bound token, a fresh proof per request from the dpop hook', async () => {
    const key = await generateDpopKey();
    const { accessToken, tokenType } = await nativeAppLogin(stack.sandbox.idp!, { scope: 'catalog:read', dpop: key });
    expect(tokenType).toBe('DPoP');
    const api = createMobileBffClient({
      baseUrl: stack.url,
      auth: { kind: 'bearer', token: () => accessToken, dpop: ({ method, url }) => dpopProof(key, { htm: method, htu: url, accessToken }) },
    });
    expect((await card(api)).data.id).toBe(KNOWN_IDS.product);
    // A second call needs a new proof (a replayed jti is refused): the hook is asked per request.
    const listing = await send(api.GET('/api/v1/listing', { params: { query: { limit: 2 } } }));
    expect(listing.data.items).toHaveLength(2);

    // Without the hook the bound token goes out as Bearer, which mobile-bff refuses.
    const stolen = createMobileBffClient({ baseUrl: stack.url, auth: { kind: 'bearer', token: () => accessToken } });
    const error = await failure(card(stolen));
    expect(error).toMatchObject({ kind: 'http', status: 401 });
    expect(error.type).toMatch(/invalid-token$/);
    expect(error.requestId).toBe(error.response?.headers.get('x-request-id'));
  });
});
