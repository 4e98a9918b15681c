/**
 * Typed usage of @bff-clients/web-bff, compiled by `npm run typecheck` (clients/tsconfig.json) and by
 * test/clients.spec.ts: it breaks when the client stops matching openapi/web-bff.json.
 */
import { assertType, type Equal } from '../../runtime/examples/type-assert.ts';
import { createWebBffClient, ProblemError, send, sendConditional, type components } from '../src/index.ts';

type Schemas = components['schemas'];

export async function productPage(id: string): Promise<string> {
  const api = createWebBffClient();
  const { data, degraded, requestId } = await send(api.GET('/api/v1/pages/product/{id}', { params: { path: { id } } }));
  // The document enumerates the page's sections: meta.degraded and the X-Degraded-Sections list are unions.
  assertType<Equal<(typeof degraded)[number], Schemas['ProductPageSection']>>();
  const missing: Schemas['ProductPageSection'][] = [...degraded, ...data.meta.degraded.map((d) => d.section)];
  assertType<Equal<(typeof data.meta.degraded)[number]['section'], Schemas['ProductPageSection']>>();
  assertType<Equal<NonNullable<typeof data.meta.stale>[number]['section'], 'product'>>();
  // @ts-expect-error the product page never reports the home page's sections
  const notASection: (typeof degraded)[number] = 'featured';
  // @ts-expect-error the path parameter is required
  void api.GET('/api/v1/pages/product/{id}', {});
  return `${data.product.name} ${data.price?.amount ?? '-'} ${requestId ?? ''} ${missing.join()} ${notASection}`;
}

export async function cart(): Promise<number> {
  const api = createWebBffClient({ timeoutMs: 5_000 });
  // X-CSRF is sent by the client on every call: no header parameter here.
  const added = await send(api.POST('/api/v1/cart/items', { body: { productId: 'p-00001', quantity: 1 } }));
  assertType<Equal<(typeof added.degraded)[number], 'cart-price' | 'cart-stock'>>();
  // Idempotency-Key stays a required header of checkout.
  // @ts-expect-error missing the Idempotency-Key header
  void api.POST('/api/v1/checkout', {});
  const order = await send(api.POST('/api/v1/checkout', { params: { header: { 'Idempotency-Key': crypto.randomUUID() } } }));
  return added.data.lines.length + order.data.items.length;
}

export async function homeIfChanged(etag: string | undefined): Promise<Schemas['HomePageDto'] | undefined> {
  const api = createWebBffClient();
  try {
    const result = await sendConditional(api.GET('/api/v1/pages/home', { headers: etag ? { 'If-None-Match': etag } : {} }));
    return result.notModified ? undefined : result.data;
  } catch (error) {
    if (error instanceof ProblemError && error.status === 503) return undefined;
    throw error;
  }
}
