// Entry point of @bff/cache: route caching, two-tier store, section fallback, upstream HTTP cache, invalidation.
export { CacheModule } from './cache.module.js';
export { CACHE_MODULE_OPTIONS, type CacheModuleOptions } from './cache.module-definition.js';
export { CacheEnv, cacheEnv } from './cache.env.js';
export { CACHED_ROUTE, CACHE_NAMESPACE, CACHE_STALE_HEADER, CACHE_STATUS_HEADER, CACHE_STORE } from './cache.constants.js';
export { Cached, type CachedOptions, type CachePolicy, type CacheScope, type CacheTagContext } from './route/cache.decorators.js';
export { routeCacheKey, type RouteKeyInput } from './route/route-key.js';
export {
  CacheService,
  type CacheCounters,
  type CacheOutcome,
  type Resolved,
  type ResolvePolicy,
  type WrapOptions,
} from './cache.service.js';
export { HttpResponseCache, type HttpCacheCounters } from './upstream/http-response.cache.js';
export { CacheSectionFallbackStore } from './section-fallback.store.js';
export { CacheAdminModule, type CacheAdminModuleOptions } from './admin/cache-admin.module.js';
export { InvalidateCacheDto, type InvalidateCacheResult } from './admin/invalidate-cache.dto.js';
export type { CacheEntry } from './stores/entry.js';
export type { CacheStore, InvalidationResult, SharedOutcome, StoreStatus } from './stores/store.types.js';
