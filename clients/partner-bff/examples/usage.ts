/**
 * Typed usage of @bff-clients/partner-bff, compiled by `npm run typecheck` (clients/tsconfig.json) and by
 * test/clients.spec.ts: it breaks when the client stops matching openapi/partner-bff.json.
 */
import { assertType, type Equal } from '../../runtime/examples/type-assert.ts';
import { createPartnerBffClient, ProblemError, send } from '../src/index.ts';

export async function feed(key: string, cursor?: string): Promise<string | null> {
  const api = createPartnerBffClient({ baseUrl: 'https://partners.example.com', auth: { kind: 'api-key', key } });
  try {
    const page = await send(api.GET('/v1/catalog', { params: { query: { cursor } } }));
    assertType<Equal<(typeof page.degraded)[number], 'prices' | 'stock'>>();
    return page.data.nextCursor;
  } catch (error) {
    // 429 carries Retry-After: wait that long before the next page.
    if (error instanceof ProblemError && error.status === 429 && error.retryAfterSeconds !== undefined) return cursor ?? null;
    throw error;
  }
}

export async function placeOrder(key: string, idempotencyKey: string) {
  const api = createPartnerBffClient({ auth: { kind: 'api-key', key } });
  // @ts-expect-error Idempotency-Key is required
  void api.POST('/v1/orders', { body: { lines: [] } });
  return send(api.POST('/v1/orders', { params: { header: { 'Idempotency-Key': idempotencyKey } }, body: { lines: [] } as never }));
}
