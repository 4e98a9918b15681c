/**
 * Typed usage of @bff-clients/mobile-bff, compiled by `npm run typecheck` (clients/tsconfig.json) and by
 * test/clients.spec.ts: it breaks when the client stops matching openapi/mobile-bff.json.
 */
import { assertType, type Equal } from '../../runtime/examples/type-assert.ts';
import { createMobileBffClient, send, type components } from '../src/index.ts';

type Schemas = components['schemas'];

export async function detail(id: string, accessToken: () => Promise<string>, proof: (htm: string, htu: string) => Promise<string>) {
  // A DPoP-bound token: the client sends `Authorization: DPoP <token>` and the proof for each request.
  const api = createMobileBffClient({
    baseUrl: 'https://mobile.example.com',
    auth: { kind: 'bearer', token: accessToken, dpop: ({ method, url }) => proof(method, url) },
  });
  const screen = await send(api.GET('/api/v1/products/{id}/detail', { params: { path: { id } } }));
  assertType<Equal<(typeof screen.degraded)[number], Schemas['ScreenSection']>>();
  // @ts-expect-error the client adds the DPoP header itself
  void api.GET('/api/v1/products/{id}/detail', { params: { path: { id }, header: { DPoP: 'proof' } } });
  return screen.data;
}

export async function cards(ids: string[], token: string) {
  const api = createMobileBffClient({ auth: { kind: 'bearer', token: () => token } });
  const { data } = await send(api.POST('/api/v1/products/cards', { body: { ids } }));
  assertType<Equal<(typeof data.meta.degraded)[number]['section'], Schemas['CardSection']>>();
  return data.items.map((card) => card.name);
}

// @ts-expect-error the mobile client needs its bearer auth
createMobileBffClient({});
