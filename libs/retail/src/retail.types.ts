/**
 * Shapes of the retail domain services' payloads: named aliases of the component schemas generated
 * from the services' OpenAPI documents (libs/retail/src/generated, see docs/upstream-types.md).
 * Nothing here is written by hand: a change of a service's contract reaches the BFF through
 * `node scripts/gen-upstream-types.mjs`, and every use of a changed field fails to compile.
 */
import type { components as CartsComponents } from './generated/carts.openapi.js';
import type { components as CatalogComponents, operations as CatalogOperations } from './generated/catalog.openapi.js';
import type { components as CustomersComponents } from './generated/customers.openapi.js';
import type { components as InventoryComponents } from './generated/inventory.openapi.js';
import type { components as OrdersComponents, operations as OrdersOperations } from './generated/orders.openapi.js';
import type { components as PricingComponents } from './generated/pricing.openapi.js';
import type {
  components as RecommendationsComponents,
  operations as RecommendationsOperations,
} from './generated/recommendations.openapi.js';
import type { components as ReviewsComponents, operations as ReviewsOperations } from './generated/reviews.openapi.js';

type CatalogSchemas = CatalogComponents['schemas'];
type PricingSchemas = PricingComponents['schemas'];
type InventorySchemas = InventoryComponents['schemas'];
type ReviewsSchemas = ReviewsComponents['schemas'];
type RecommendationsSchemas = RecommendationsComponents['schemas'];
type CustomersSchemas = CustomersComponents['schemas'];
type CartsSchemas = CartsComponents['schemas'];
type OrdersSchemas = OrdersComponents['schemas'];

// ---- catalog ---------------------------------------------------------------
export type Product = CatalogSchemas['Product'];
export type ProductImage = CatalogSchemas['ProductImage'];
export type ProductPage = CatalogSchemas['ProductPage'];
export type Category = CatalogSchemas['Category'];
export type CategoryList = CatalogSchemas['CategoryList'];
export type FeaturedList = CatalogSchemas['FeaturedList'];
/** Query of `GET /products` (cursor pagination, name search, category subtree). */
export type ListProductsQuery = NonNullable<CatalogOperations['listProducts']['parameters']['query']>;
/** A page of the catalog's change feed: products by (updatedAt, id) and the position after them. */
export type ProductChanges = CatalogSchemas['ProductChanges'];
/** Query of `GET /products/changes` (updatedSince or cursor, limit). */
export type ProductChangesQuery = NonNullable<CatalogOperations['listProductChanges']['parameters']['query']>;

// ---- pricing -----------------------------------------------------------------
export type Price = PricingSchemas['Price'];
export type PriceList = PricingSchemas['PriceList'];

// ---- inventory -----------------------------------------------------------------
export type Stock = InventorySchemas['Stock'];
export type StockList = InventorySchemas['StockList'];

// ---- reviews -------------------------------------------------------------------
export type Review = ReviewsSchemas['Review'];
export type ReviewPage = ReviewsSchemas['ReviewPage'];
export type RatingHistogram = ReviewsSchemas['RatingHistogram'];
/** The reviews service calls it `Rating`. */
export type RatingSummary = ReviewsSchemas['Rating'];
/** Query of `GET /products/{productId}/reviews`. */
export type ListReviewsQuery = NonNullable<ReviewsOperations['listReviews']['parameters']['query']>;

// ---- recommendations -----------------------------------------------------------
export type Recommendation = RecommendationsSchemas['Recommendation'];
export type RecommendationList = RecommendationsSchemas['RecommendationList'];
/** Query of `GET /recommendations`: similar to a product, popular in a category, or popular overall. */
export type ListRecommendationsQuery = NonNullable<RecommendationsOperations['listRecommendations']['parameters']['query']>;

// ---- customers -------------------------------------------------------------------
export type Customer = CustomersSchemas['Customer'];
export type CustomerTier = Customer['tier'];

// ---- carts -----------------------------------------------------------------------
export type Cart = CartsSchemas['Cart'];
export type CartItem = CartsSchemas['CartItem'];
export type AddCartItemRequest = CartsSchemas['AddCartItemRequest'];
export type UpdateCartItemRequest = CartsSchemas['UpdateCartItemRequest'];

// ---- orders ----------------------------------------------------------------------
export type Order = OrdersSchemas['Order'];
export type OrderItem = OrdersSchemas['OrderItem'];
export type OrderStatus = Order['status'];
export type OrderList = OrdersSchemas['OrderList'];
export type CreateOrderRequest = OrdersSchemas['CreateOrderRequest'];
export type CreateOrderItem = OrdersSchemas['CreateOrderItem'];
/** The 422 problem of a refused placement (type, and the product / request member it is about). */
export type OrderProblem = OrdersSchemas['OrderProblem'];
/** Query of `GET /orders`. */
export type ListOrdersQuery = NonNullable<OrdersOperations['listOrders']['parameters']['query']>;

// ---- every service ------------------------------------------------------------------
/** RFC 9457 problem details, as every retail service answers its 4xx/5xx. */
export type UpstreamProblem = CatalogSchemas['Problem'];
