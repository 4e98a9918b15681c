import { Module } from '@nestjs/common';

import { JwtAuthModule, RateLimitModule, UpstreamAuthModule } from '@bff/auth';
import { CacheModule } from '@bff/cache';
import { CoreModule } from '@bff/core';
import { CustomerCarts, CustomerCheckout, OrderHistory, RetailModule } from '@bff/retail';
import { IdempotencyStore } from '@bff/upstream';

import { MobileAccountCache } from './account/mobile-account.js';
import { MobileCartController } from './account/mobile-cart.controller.js';
import { MobileOrdersController } from './account/mobile-orders.controller.js';
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
    // carts and orders ('relay') get the caller's token exchanged for the retail API audience (RFC 8693, JWT_TOKEN_EXCHANGE_*).
    UpstreamAuthModule.forRoot({ tokenExchange: true }),
    CacheModule.forRoot(),
  ],
  controllers: [
    ProductCardController,
    ProductDetailController,
    ProductReviewsController,
    CatalogScreensController,
    MobileCartController,
    MobileOrdersController,
  ],
  // Cart, checkout and orders: shared with web-bff through @bff/retail; IdempotencyStore keeps checkout keys (Redis when configured).
  providers: [
    ProductCardService,
    ProductDetailService,
    CustomerCarts,
    CustomerCheckout,
    OrderHistory,
    IdempotencyStore,
    MobileAccountCache,
  ],
})
export class MobileBffModule {}
