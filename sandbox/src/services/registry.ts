import type { Authorizer } from '../http/authz.ts';
import type { OpenApiDocument } from '../http/openapi.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import type { ServiceName } from '../types.ts';
import { CARTS_OPENAPI, createCartsService } from './carts.ts';
import { CATALOG_OPENAPI, createCatalogService } from './catalog.ts';
import { createCustomersService, CUSTOMERS_OPENAPI } from './customers.ts';
import { createInventoryService, INVENTORY_OPENAPI } from './inventory.ts';
import { createOrdersService, ORDERS_OPENAPI } from './orders.ts';
import { createPricingService, PRICING_OPENAPI } from './pricing.ts';
import { createRecommendationsService, RECOMMENDATIONS_OPENAPI } from './recommendations.ts';
import { createReviewsService, REVIEWS_OPENAPI } from './reviews.ts';

/** Every factory takes the seed; those holding customer data also the authorizer (the others ignore it). */
export const SERVICE_FACTORIES: Readonly<Record<ServiceName, (seed: SeedData, authz: Authorizer) => ServiceModule>> = {
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
