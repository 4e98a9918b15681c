import type { OpenApiDocument } from '../http/openapi.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import type { ServiceName } from '../types.ts';
import { CARTS_OPENAPI, createCartsService } from './carts.ts';
import { CATALOG_OPENAPI, createCatalogService } from './catalog.ts';
import { CUSTOMERS_OPENAPI, createCustomersService } from './customers.ts';
import { INVENTORY_OPENAPI, createInventoryService } from './inventory.ts';
import { ORDERS_OPENAPI, createOrdersService } from './orders.ts';
import { PRICING_OPENAPI, createPricingService } from './pricing.ts';
import { RECOMMENDATIONS_OPENAPI, createRecommendationsService } from './recommendations.ts';
import { REVIEWS_OPENAPI, createReviewsService } from './reviews.ts';

export const SERVICE_FACTORIES: Readonly<Record<ServiceName, (seed: SeedData) => ServiceModule>> = {
  catalog: createCatalogService,
  pricing: createPricingService,
  inventory: createInventoryService,
  reviews: createReviewsService,
  recommendations: createRecommendationsService,
  customers: createCustomersService,
  carts: createCartsService,
  orders: createOrdersService,
};

/** The OpenAPI 3.1 document of every service (also served at `GET /openapi.json`). */
export const OPENAPI_DOCUMENTS: Readonly<Record<ServiceName, OpenApiDocument>> = {
  catalog: CATALOG_OPENAPI,
  pricing: PRICING_OPENAPI,
  inventory: INVENTORY_OPENAPI,
  reviews: REVIEWS_OPENAPI,
  recommendations: RECOMMENDATIONS_OPENAPI,
  customers: CUSTOMERS_OPENAPI,
  carts: CARTS_OPENAPI,
  orders: ORDERS_OPENAPI,
};
