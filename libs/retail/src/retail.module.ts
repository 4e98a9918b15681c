import { Module, type DynamicModule, type Type } from '@nestjs/common';

import { UpstreamModule } from '@bff/upstream';

import { CatalogScreens } from './catalog-screens.js';
import { ProductCards } from './product-cards.js';
import {
  CartsApi,
  CatalogApi,
  CustomersApi,
  InventoryApi,
  OrdersApi,
  PricingApi,
  RecommendationsApi,
  ReviewsApi,
} from './retail.clients.js';
import { retailUpstreams, type RetailService, type RetailUpstreamOverrides } from './retail.upstreams.js';

/** The adapter of every declared service (a new service in RETAIL_UPSTREAMS does not compile without one). */
const ADAPTERS: Readonly<Record<RetailService, Type>> = {
  catalog: CatalogApi,
  pricing: PricingApi,
  inventory: InventoryApi,
  reviews: ReviewsApi,
  recommendations: RecommendationsApi,
  customers: CustomersApi,
  carts: CartsApi,
  orders: OrdersApi,
};

/** The services ProductCards composes: it is provided when an app declares all of them. */
const CARD_SERVICES: readonly RetailService[] = ['catalog', 'pricing', 'inventory'];

/**
 * Registers the retail services an app talks to: their upstream clients and typed adapters, plus
 * ProductCards and CatalogScreens when the app declares catalog, pricing and inventory.
 * Pair it with `retailEnv(services)` in the app definition so their URLs are validated at boot.
 * `overrides` adjusts a service's declaration for this app (e.g. its auth mode).
 */
@Module({})
export class RetailModule {
  static forRoot(services: readonly RetailService[], overrides: RetailUpstreamOverrides = {}): DynamicModule {
    const adapters = [...new Set(services)].map((s) => ADAPTERS[s]);
    const providers: Type[] = CARD_SERVICES.every((s) => services.includes(s)) ? [...adapters, ProductCards, CatalogScreens] : adapters;
    return {
      module: RetailModule,
      imports: [UpstreamModule.forRoot({ upstreams: retailUpstreams(services, overrides) })],
      providers,
      exports: providers,
    };
  }
}
