import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { UpstreamModule } from '@bff/upstream';
import { CatalogApi, CustomersApi, InventoryApi, PricingApi, RecommendationsApi, ReviewsApi } from './retail.clients.js';
import { retailUpstreams, type RetailService } from './retail.upstreams.js';

const ADAPTERS: Partial<Record<RetailService, Type>> = {
  catalog: CatalogApi,
  pricing: PricingApi,
  inventory: InventoryApi,
  reviews: ReviewsApi,
  recommendations: RecommendationsApi,
  customers: CustomersApi,
};

/**
 * Registers the retail services an app talks to: their upstream clients and typed adapters.
 * Pair it with `retailEnv(services)` in the app definition so their URLs are validated at boot.
 */
@Module({})
export class RetailModule {
  static forRoot(services: readonly RetailService[]): DynamicModule {
    const adapters = services.map((s) => ADAPTERS[s]).filter((a): a is Type => a !== undefined);
    return {
      module: RetailModule,
      imports: [UpstreamModule.forRoot({ upstreams: retailUpstreams(services) })],
      providers: adapters,
      exports: adapters,
    };
  }
}
