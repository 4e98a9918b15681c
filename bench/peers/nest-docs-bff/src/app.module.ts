import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';

import { HealthController } from './health.controller.js';
import { ProductPageController } from './product-page.controller.js';
import { ProductPageService } from './product-page.service.js';

@Module({
  // The environment only (UPSTREAM_<NAME>_URL, set by the harness): a developer's .env must not leak in.
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    // The docs' example: one timeout for every call. Per-section budgets as tight as web-bff's would make this
    // slower peer answer degraded (cheaper) pages under the benchmark's load.
    HttpModule.register({ timeout: 5_000, maxRedirects: 5 }),
  ],
  controllers: [HealthController, ProductPageController],
  providers: [ProductPageService],
})
export class AppModule {}
