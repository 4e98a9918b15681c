/** The typed adapters of the retail services: one class per service, one method per route. */
export { CatalogApi } from './clients/catalog.api.js';
export { PricingApi } from './clients/pricing.api.js';
export { InventoryApi } from './clients/inventory.api.js';
export { ReviewsApi } from './clients/reviews.api.js';
export { RecommendationsApi } from './clients/recommendations.api.js';
export { CustomersApi } from './clients/customers.api.js';
export { CartsApi } from './clients/carts.api.js';
export { OrderRejectedError, OrdersApi, type OrderRejectionReason, type PlacedOrder } from './clients/orders.api.js';
export type { CallOptions, WriteOptions } from './clients/call-options.js';
