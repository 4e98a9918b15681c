import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';

import { AccessGuard } from './access/access.guard.js';
import { AuthenticatorRegistry } from './access/authenticator.registry.js';
import { coreEnvSchemas } from './config/core-env.schema.js';
import { CoreEnv } from './config/core.env.js';
import { EnvModule } from './config/env.module.js';
import { CORE_MODULE_OPTIONS, CoreConfigurableModule, type CORE_OPTIONS_TYPE } from './core.module-definition.js';
import { ProblemDetailsFilter } from './errors/problem-details.filter.js';
import { PlatformValidationPipe } from './errors/validation.js';
import { HealthController } from './health/health.controller.js';
import { HealthRegistry } from './health/health.registry.js';
import { loggerParams } from './logging/logger.options.js';
import { AccessMetrics } from './metrics/access.metrics.js';
import { HttpMetrics } from './metrics/http.metrics.js';
import { MetricsEndpoint } from './metrics/metrics.endpoint.js';
import { MetricsService } from './metrics/metrics.service.js';
import { Tracing } from './tracing/tracing.js';

/**
 * The platform core every app imports once: validated config, structured logging, the global
 * problem+json filter, validation pipe and default-deny access guard, health endpoints, and the
 * app's metrics registry (MetricsService) with its management port.
 */
@Module({})
export class CoreModule extends CoreConfigurableModule {
  static forRoot(options: typeof CORE_OPTIONS_TYPE): DynamicModule {
    const base = super.forRoot(options);
    const env = EnvModule.forRoot([...coreEnvSchemas, ...options.app.env]);
    return {
      ...base,
      global: true,
      imports: [
        env,
        LoggerModule.forRootAsync({
          inject: [CoreEnv],
          useFactory: (core: CoreEnv) => loggerParams({ app: options.app.name, level: core.LOG_LEVEL, traced: Tracing.enabled }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        ...(base.providers ?? []),
        HealthRegistry,
        AuthenticatorRegistry,
        MetricsService,
        HttpMetrics,
        AccessMetrics,
        MetricsEndpoint,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: PlatformValidationPipe },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [CORE_MODULE_OPTIONS, HealthRegistry, AuthenticatorRegistry, MetricsService, env],
    };
  }
}
