import { Module } from '@nestjs/common';
import { CoreModule } from '@bff/core';
import { RetailModule } from '@bff/retail';
import { CatalogFeedController } from './catalog/catalog-feed.controller.js';
import { CatalogFeedService } from './catalog/catalog-feed.service.js';
import { PARTNER_BFF, PARTNER_SERVICES } from './partner-bff.definition.js';

@Module({
  imports: [CoreModule.forRoot({ app: PARTNER_BFF }), RetailModule.forRoot(PARTNER_SERVICES)],
  controllers: [CatalogFeedController],
  providers: [CatalogFeedService],
})
export class PartnerBffModule {}
