import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';

import { CORE_MODULE_OPTIONS, CoreEnv, type CoreModuleOptions } from '@bff/core';
import { SECTION_FALLBACK, UPSTREAM_RESPONSE_CACHE } from '@bff/upstream';

import { CACHE_CONFIG, CACHE_NAMESPACE, CACHE_STORE } from './cache.constants.js';
import { CacheEnv } from './cache.env.js';
import { CacheLifecycle } from './cache.lifecycle.js';
import { CacheMetrics } from './cache.metrics.js';
import {
  CACHE_MODULE_OPTIONS,
  CacheConfigurableModule,
  type CACHE_OPTIONS_TYPE,
  type CacheModuleOptions,
} from './cache.module-definition.js';
import { CacheService } from './cache.service.js';
import { RouteCacheInterceptor } from './route/route-cache.interceptor.js';
import { CacheSectionFallbackStore } from './section-fallback.store.js';
import { createCacheStore } from './stores/store.factory.js';
import { HttpResponseCache } from './upstream/http-response.cache.js';

/**
 * Caching for an app (see docs/caching.md), imported once next to CoreModule:
 * - the global route-cache interceptor applying `@Cached(...)`,
 * - CacheService (programmatic caching and invalidation),
 * - the aggregation toolkit's SectionFallbackStore (SECTION_FALLBACK, stale-if-error per section),
 * - the upstream HTTP cache (UPSTREAM_RESPONSE_CACHE, for upstreams declared `httpCache: true`).
 *
 * Memory LRU by default; memory L1 + Redis L2 when REDIS_URL is set. Needs `cacheEnv` in the app
 * definition's `env`.
 */
@Module({})
export class CacheModule extends CacheConfigurableModule {
  static forRoot(options: typeof CACHE_OPTIONS_TYPE = {}): DynamicModule {
    const base = super.forRoot(options);
    return {
      ...base,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        ...(base.providers ?? []),
        {
          provide: CACHE_CONFIG,
          useFactory: (env?: CacheEnv) => {
            if (!env) {
              throw new Error("CacheModule needs the cache variables: add `cacheEnv` (from '@bff/cache') to the app definition's env list");
            }
            return env;
          },
          inject: [{ token: CacheEnv, optional: true }],
        },
        {
          provide: CACHE_NAMESPACE,
          useFactory: (own: CacheModuleOptions, core: CoreModuleOptions) => own.namespace ?? core.app.name,
          inject: [CACHE_MODULE_OPTIONS, CORE_MODULE_OPTIONS],
        },
        { provide: CACHE_STORE, useFactory: createCacheStore, inject: [CACHE_CONFIG, CoreEnv] },
        CacheService,
        HttpResponseCache,
        { provide: UPSTREAM_RESPONSE_CACHE, useExisting: HttpResponseCache },
        CacheSectionFallbackStore,
        { provide: SECTION_FALLBACK, useExisting: CacheSectionFallbackStore },
        RouteCacheInterceptor,
        {
          // With caching off there is nothing for the interceptor to do: not registering it spares every
          // request the interceptor chain (Nest skips a factory that returns nothing).
          provide: APP_INTERCEPTOR,
          useFactory: (env: CacheEnv, interceptor: RouteCacheInterceptor) => (env.CACHE_ENABLED ? interceptor : undefined),
          inject: [CACHE_CONFIG, RouteCacheInterceptor],
        },
        CacheLifecycle,
        CacheMetrics,
      ],
      exports: [CacheService, HttpResponseCache, UPSTREAM_RESPONSE_CACHE, CacheSectionFallbackStore, SECTION_FALLBACK, CACHE_NAMESPACE],
    };
  }
}
