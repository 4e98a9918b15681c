/** Metadata key of a route's `@Cached(...)` policy. */
export const CACHED_ROUTE = 'bff:cached-route';

/** Token of the CacheStore the module built (memory, or memory L1 + Redis L2). */
export const CACHE_STORE = Symbol('CACHE_STORE');

/** Response header: HIT, MISS, STALE or BYPASS. */
export const CACHE_STATUS_HEADER = 'x-cache';
/** Response header present (value `1`) when a stale response is served (stale-while-revalidate or stale-if-error). */
export const CACHE_STALE_HEADER = 'x-cache-stale';

/** Headers a cached response keeps from its computation and replays on hits (the app sets them from its aggregation result: sectionHeaders of @bff/upstream). */
export const REPLAYED_HEADERS = ['x-degraded-sections', 'x-stale-sections'] as const;

/** Request headers that carry credentials; a non-public response always varies on them. */
export const CREDENTIAL_HEADERS = ['cookie', 'authorization', 'x-api-key'] as const;

/** Version of the serialized entry envelope; any other version reads as a miss. */
export const ENVELOPE_VERSION = 1;

/** Tags, keys and fallback keys accepted by invalidation (admin route and programmatic). */
export const CACHE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.\-/]{0,255}$/;

/** Token of the cache namespace of this app (CacheModuleOptions.namespace, else the app's name). */
export const CACHE_NAMESPACE = Symbol('CACHE_NAMESPACE');

/** Token of the validated CacheEnv (its presence checked with a clear message). */
export const CACHE_CONFIG = Symbol('CACHE_CONFIG');
