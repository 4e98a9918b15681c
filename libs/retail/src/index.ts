/**
 * @bff/retail: the retail domain services.
 * - Wiring: RetailModule.forRoot(services), retailEnv(services), RetailService.
 * - Typed adapters: CatalogApi, PricingApi, InventoryApi, ReviewsApi, RecommendationsApi, CustomersApi, CartsApi, OrdersApi
 *   (OrderRejectedError: a placement the orders service refused, with its reason and product).
 * - ProductCards: cards (id, name, thumbnail, price, in stock) for any list in three bulk calls, price and stock
 *   degrading to null (provided with catalog + pricing + inventory); ProductCard, ProductCardList, MAX_CARDS.
 * - CatalogScreens: the home (category tree + featured cards) and listing (search/category page as cards) screens
 *   every storefront client shows, composed once (provided with ProductCards); categoryTree.
 * - The signed-in customer's data, for every storefront client (calls relay the caller's token): CustomerCarts (the cart
 *   enriched with cards, estimated subtotal), CustomerCheckout (order from the cart, exactly once per Idempotency-Key;
 *   provide it next to IdempotencyStore), OrderHistory (cursor-paged orders, another customer's order is a 404).
 * - pageOfReviews: cursor paging over the reviews service's numbered pages (invalid cursor: 400 invalid-cursor).
 * - Payload types the apps shape (Product, Price, Stock, RatingSummary, Order), and the shaping shared by
 *   every app: mapPrice, mapAvailability, byProductId.
 */
import type { EnvSchema } from '@bff/core';
import { upstreamEnv } from '@bff/upstream';

import { retailUpstreams, type RetailService } from './retail.upstreams.js';

export { RetailModule } from './retail.module.js';
export type { RetailService } from './retail.upstreams.js';
export type { OrderRejectionReason } from './retail.clients.js';
export {
  CartsApi,
  CatalogApi,
  CustomersApi,
  InventoryApi,
  OrderRejectedError,
  OrdersApi,
  PricingApi,
  RecommendationsApi,
  ReviewsApi,
} from './retail.clients.js';
export {
  CARD_PRICE_FIELDS,
  MAX_CARDS,
  ProductCards,
  type ProductCard,
  type ProductCardList,
  type ProductCardOptions,
} from './product-cards.js';
export {
  CatalogScreens,
  categoryTree,
  type CategoryNode,
  type HomeScreen,
  type ListingScreen,
  type ListingScreenQuery,
} from './catalog-screens.js';
export {
  CustomerCarts,
  MAX_LINE_QUANTITY,
  type CartLine,
  type CartLinePrice,
  type CustomerCart,
  type EstimatedSubtotal,
} from './customer/customer-carts.js';
export { CHECKOUT_KEY_TTL_MS, CustomerCheckout, type CheckoutResult } from './customer/customer-checkout.js';
export { ORDER_CURSOR_PATTERN, OrderHistory, type OrderPage } from './customer/order-history.js';
export { pageOfReviews, REVIEWS_MAX_LIMIT, type ReviewCursorPage } from './review-pages.js';
export type { Category, Order, Price, Product, ProductChanges, ProductChangesQuery, RatingSummary, Review, Stock } from './retail.types.js';
export { byProductId, mapAvailability, mapPrice } from './retail.mappers.js';

/** Env slice for the given retail services: one `UPSTREAM_<NAME>_URL` each. */
export function retailEnv(services: readonly RetailService[]): EnvSchema {
  return upstreamEnv(retailUpstreams(services));
}
