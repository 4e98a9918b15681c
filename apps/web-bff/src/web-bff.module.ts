import { Module } from '@nestjs/common';
import { CoreModule } from '@bff/core';
import { RetailModule } from '@bff/retail';
import { ProductPageController } from './pages/product-page.controller.js';
import { ProductPageService } from './pages/product-page.service.js';
import { AvailabilityController } from './products/availability.controller.js';
import { AvailabilityService } from './products/availability.service.js';
import { WEB_BFF, WEB_SERVICES } from './web-bff.definition.js';

@Module({
  imports: [CoreModule.forRoot({ app: WEB_BFF }), RetailModule.forRoot(WEB_SERVICES)],
  controllers: [ProductPageController, AvailabilityController],
  providers: [ProductPageService, AvailabilityService],
})
export class WebBffModule {}
