import type { EnvSchema } from '@bff/core';
import { upstreamEnv } from '@bff/upstream';

import { retailUpstreams, type RetailService } from './retail.upstreams.js';

export { RetailModule } from './retail.module.js';
export { RETAIL_UPSTREAMS, retailUpstreams, type RetailService, type RetailUpstreamOverrides } from './retail.upstreams.js';
export {
  CartsApi,
  CatalogApi,
  CustomersApi,
  InventoryApi,
  OrdersApi,
  PricingApi,
  RecommendationsApi,
  ReviewsApi,
  type CallOptions,
  type PlacedOrder,
  type WriteOptions,
} from './retail.clients.js';
export type * from './retail.types.js';
export { byProductId, mapAvailability, mapPrice } from './retail.mappers.js';

/** Env slice for the given retail services: one `UPSTREAM_<NAME>_URL` each. */
export function retailEnv(services: readonly RetailService[]): EnvSchema {
  return upstreamEnv(retailUpstreams(services));
}
