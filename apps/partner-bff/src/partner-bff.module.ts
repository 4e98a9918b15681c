import { Module } from '@nestjs/common';

import { ApiKeyAuthModule, RateLimitModule, UpstreamAuthModule } from '@bff/auth';
import { CacheAdminModule, CacheModule } from '@bff/cache';
import { CoreModule, Protected } from '@bff/core';
import { RetailModule } from '@bff/retail';

import { CatalogFeedController } from './catalog/catalog-feed.controller.js';
import { CatalogFeedService } from './catalog/catalog-feed.service.js';
import { PartnerOrdersController } from './orders/partner-orders.controller.js';
import { PartnerOrdersService } from './orders/partner-orders.service.js';
import { PARTNER_BFF, PARTNER_SERVICES } from './partner-bff.definition.js';

@Module({
  imports: [
    CoreModule.forRoot({ app: PARTNER_BFF }),
    // Partners are not end users: there is no caller token to relay, so orders are read and placed
    // with the app's own client-credentials token, requested for the account the partner's key is
    // bound to: the orders service itself then shows that account's orders only.
    RetailModule.forRoot(PARTNER_SERVICES, {
      orders: { auth: 'client-credentials', clientCredentials: { scope: 'orders:read orders:write', account: true } },
    }),
    UpstreamAuthModule.forRoot({ clientCredentials: true }),
    // After CoreModule: the rate-limit guard keys limits by the partner core's AccessGuard establishes.
    RateLimitModule.forRoot(),
    ApiKeyAuthModule.forRoot(),
    CacheModule.forRoot(),
    // POST /admin/cache/invalidate {keys?, tags?}: operators only (see docs/caching.md).
    CacheAdminModule.register({ access: Protected('api-key', ['cache:admin']) }),
  ],
  controllers: [CatalogFeedController, PartnerOrdersController],
  providers: [CatalogFeedService, PartnerOrdersService],
})
export class PartnerBffModule {}
