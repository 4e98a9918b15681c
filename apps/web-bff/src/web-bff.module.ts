import { Module } from '@nestjs/common';

import { RateLimitModule, SessionAuthModule, UpstreamAuthModule } from '@bff/auth';
import { CacheModule } from '@bff/cache';
import { CoreModule } from '@bff/core';
import { CustomerCarts, CustomerCheckout, OrderHistory, RetailModule } from '@bff/retail';
import { IdempotencyStore } from '@bff/upstream';
import { RemoteApiModule, SpaModule } from '@bff/web';

import { MeController } from './account/me.controller.js';
import { MeService } from './account/me.service.js';
import { OrdersController } from './account/orders.controller.js';
import { OrdersService } from './account/orders.service.js';
import { SessionsAdminController } from './admin/sessions-admin.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { BackchannelLogoutController } from './auth/backchannel-logout.controller.js';
import { CartController } from './cart/cart.controller.js';
import { CheckoutController } from './checkout/checkout.controller.js';
import { HomePageController } from './pages/home/home-page.controller.js';
import { HomePageService } from './pages/home/home-page.service.js';
import { ListingPageController } from './pages/listing/listing-page.controller.js';
import { ListingPageService } from './pages/listing/listing-page.service.js';
import { ProductPageController } from './pages/product-page.controller.js';
import { ProductPageService } from './pages/product-page.service.js';
import { ProductReviewsController } from './pages/product-reviews.controller.js';
import { AvailabilityController } from './products/availability.controller.js';
import { AvailabilityService } from './products/availability.service.js';
import { WEB_BFF, WEB_REMOTE_APIS, WEB_SERVICES } from './web-bff.definition.js';

@Module({
  imports: [
    CoreModule.forRoot({ app: WEB_BFF }),
    RetailModule.forRoot(WEB_SERVICES),
    // After CoreModule: keyed by the session's subject when signed in, else by client address (TRUST_PROXY).
    RateLimitModule.forRoot(),
    CacheModule.forRoot(),
    // Browser sessions (strategy 'session', CSRF guard) and the token relay to 'relay' upstreams: the
    // session's token carries the scopes customers, carts and orders require (sandbox/src/http/authz.ts).
    SessionAuthModule.forRoot({
      scopes: ['openid', 'profile', 'email', 'customers:read', 'cart:write', 'orders:read', 'orders:write'],
    }),
    UpstreamAuthModule.forRoot(),
    // The built SPA at this origin when SPA_DIR is set (docs/frontend.md).
    SpaModule,
    // /api/remote/{api}/{path}: allowlisted upstream paths for the SPA, session + CSRF.
    RemoteApiModule.forRoot(WEB_REMOTE_APIS),
  ],
  controllers: [
    HomePageController,
    ListingPageController,
    ProductPageController,
    ProductReviewsController,
    AvailabilityController,
    AuthController,
    BackchannelLogoutController,
    MeController,
    CartController,
    CheckoutController,
    OrdersController,
    SessionsAdminController,
  ],
  // CustomerCheckout and IdempotencyStore (what each checkout key placed, in Redis when configured, shared by every instance).
  providers: [
    HomePageService,
    ListingPageService,
    ProductPageService,
    AvailabilityService,
    MeService,
    CustomerCarts,
    CustomerCheckout,
    OrderHistory,
    OrdersService,
    IdempotencyStore,
  ],
})
export class WebBffModule {}
