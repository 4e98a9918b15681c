import type { UpstreamDefinition } from '@bff/upstream';

/** Every retail domain service, declared once: name (→ UPSTREAM_<NAME>_URL), timeout and pool. */
export const RETAIL_UPSTREAMS = {
  catalog: { name: 'catalog', timeoutMs: 1_500, connections: 64 },
  pricing: { name: 'pricing', timeoutMs: 800, connections: 64 },
  inventory: { name: 'inventory', timeoutMs: 800, connections: 64 },
  reviews: { name: 'reviews', timeoutMs: 1_000, connections: 32 },
  recommendations: { name: 'recommendations', timeoutMs: 1_200, connections: 32 },
  customers: { name: 'customers', timeoutMs: 800, connections: 32, auth: 'relay' },
  carts: { name: 'carts', timeoutMs: 1_000, connections: 32 },
  orders: { name: 'orders', timeoutMs: 2_000, connections: 32 },
} as const satisfies Record<string, UpstreamDefinition>;

export type RetailService = keyof typeof RETAIL_UPSTREAMS;

export function retailUpstreams(services: readonly RetailService[]): UpstreamDefinition[] {
  return services.map((s) => RETAIL_UPSTREAMS[s]);
}
