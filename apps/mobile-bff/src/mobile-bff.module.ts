import { Module } from '@nestjs/common';

import { JwtAuthModule, RateLimitModule, UpstreamAuthModule } from '@bff/auth';
import { CacheModule } from '@bff/cache';
import { CoreModule } from '@bff/core';
import { RetailModule } from '@bff/retail';

import { MOBILE_BFF, MOBILE_SERVICES } from './mobile-bff.definition.js';
import { ProductCardController } from './products/product-card.controller.js';
import { ProductCardService } from './products/product-card.service.js';
import { CatalogScreensController } from './screens/catalog-screens.controller.js';
import { ProductDetailController } from './screens/product-detail.controller.js';
import { ProductDetailService } from './screens/product-detail.service.js';
import { ProductReviewsController } from './screens/product-reviews.controller.js';

@Module({
  imports: [
    CoreModule.forRoot({ app: MOBILE_BFF }),
    RetailModule.forRoot(MOBILE_SERVICES),
    // After CoreModule: the rate-limit guard keys limits by the identity core's AccessGuard establishes.
    RateLimitModule.forRoot(),
    JwtAuthModule.forRoot(),
    UpstreamAuthModule.forRoot(),
    CacheModule.forRoot(),
  ],
  controllers: [ProductCardController, ProductDetailController, ProductReviewsController, CatalogScreensController],
  providers: [ProductCardService, ProductDetailService],
})
export class MobileBffModule {}
