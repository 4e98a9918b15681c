/**
 * @bff/cache: caching for an app (docs/caching.md).
 * - Setup: CacheModule (with cacheEnv in the app definition), CacheAdminModule (POST <path>/invalidate).
 * - Routes: @Cached(policy); routeCacheKey computes a route entry's key.
 * - In code: CacheService (wrap, invalidate by key or tag); HttpResponseCache (the upstream HTTP cache, its counters).
 */
export { CacheModule } from './cache.module.js';
export { cacheEnv } from './cache.env.js';
export { CacheAdminModule } from './admin/cache-admin.module.js';
export { Cached } from './route/cache.decorators.js';
export { routeCacheKey } from './route/route-key.js';
export { CacheService } from './cache.service.js';
export { HttpResponseCache } from './upstream/http-response.cache.js';
