import { Module } from '@nestjs/common';

import { RateLimitModule, SessionAuthModule, UpstreamAuthModule } from '@bff/auth';
import { CacheModule } from '@bff/cache';
import { CoreModule } from '@bff/core';
import { RetailModule } from '@bff/retail';
import { SpaModule } from '@bff/web';

import { MeController } from './account/me.controller.js';
import { MeService } from './account/me.service.js';
import { AuthController } from './auth/auth.controller.js';
import { HomePageController } from './pages/home/home-page.controller.js';
import { HomePageService } from './pages/home/home-page.service.js';
import { ListingPageController } from './pages/listing/listing-page.controller.js';
import { ListingPageService } from './pages/listing/listing-page.service.js';
import { ProductPageController } from './pages/product-page.controller.js';
import { ProductPageService } from './pages/product-page.service.js';
import { ProductReviewsController } from './pages/product-reviews.controller.js';
import { AvailabilityController } from './products/availability.controller.js';
import { AvailabilityService } from './products/availability.service.js';
import { WEB_BFF, WEB_SERVICES } from './web-bff.definition.js';

@Module({
  imports: [
    CoreModule.forRoot({ app: WEB_BFF }),
    RetailModule.forRoot(WEB_SERVICES),
    // After CoreModule: keyed by the session's subject when signed in, else by client address (TRUST_PROXY).
    RateLimitModule.forRoot(),
    CacheModule.forRoot(),
    // Browser sessions (strategy 'session', CSRF guard) and the token relay to 'relay' upstreams.
    SessionAuthModule.forRoot({ scopes: ['openid', 'profile', 'email', 'customers:read'] }),
    UpstreamAuthModule.forRoot(),
    // The built SPA at this origin when SPA_DIR is set (docs/frontend.md).
    SpaModule,
  ],
  controllers: [
    HomePageController,
    ListingPageController,
    ProductPageController,
    ProductReviewsController,
    AvailabilityController,
    AuthController,
    MeController,
  ],
  providers: [HomePageService, ListingPageService, ProductPageService, AvailabilityService, MeService],
})
export class WebBffModule {}
