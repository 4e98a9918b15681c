import type { UpstreamDefinition } from '@bff/upstream';

/**
 * Every retail domain service, declared once: name (→ UPSTREAM_<NAME>_URL), timeout, pool and auth
 * mode. Services holding user data (customers, carts, orders) receive the caller's token (`relay`).
 */
export const RETAIL_UPSTREAMS = {
  catalog: { name: 'catalog', timeoutMs: 1_500, connections: 64 },
  pricing: { name: 'pricing', timeoutMs: 800, connections: 64 },
  inventory: { name: 'inventory', timeoutMs: 800, connections: 64 },
  reviews: { name: 'reviews', timeoutMs: 1_000, connections: 32 },
  recommendations: { name: 'recommendations', timeoutMs: 1_200, connections: 32 },
  customers: { name: 'customers', timeoutMs: 800, connections: 32, auth: 'relay' },
  // User data: the caller's token is relayed. Placing an order may take longer (pricing, persistence)
  // and always carries an Idempotency-Key, so a retry never places a second order.
  carts: { name: 'carts', timeoutMs: 1_000, connections: 32, auth: 'relay' },
  orders: { name: 'orders', timeoutMs: 2_000, connections: 32, auth: 'relay' },
} as const satisfies Record<string, UpstreamDefinition>;

export type RetailService = keyof typeof RETAIL_UPSTREAMS;

/**
 * Per-app adjustments of a service's declaration, e.g. an app without end users (partner-bff)
 * calling orders with its own client-credentials token instead of relaying a caller's token.
 */
export type RetailUpstreamOverrides = Partial<Record<RetailService, Partial<Omit<UpstreamDefinition, 'name'>>>>;

export function retailUpstreams(services: readonly RetailService[], overrides: RetailUpstreamOverrides = {}): UpstreamDefinition[] {
  return [...new Set(services)].map((s) => ({ ...RETAIL_UPSTREAMS[s], ...overrides[s], name: RETAIL_UPSTREAMS[s].name }));
}
