import { Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

import { envClass } from '@bff/core';

type TransformArgs = { obj: Record<string, unknown>; key: string };

/** Reads the raw string so that 'false' does not become `true` through Boolean('false'). */
const parseBoolean = ({ obj, key }: TransformArgs): unknown => (obj[key] === 'true' ? true : obj[key] === 'false' ? false : obj[key]);

const int = (name: string, min: number, max: number) => {
  const message = `${name} must be an integer between ${min} and ${max}`;
  return [IsInt({ message }), Min(min, { message }), Max(max, { message })];
};
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };

/**
 * Variables read by @bff/cache (see docs/caching.md). `REDIS_URL` itself belongs to core: when it is
 * set (and CACHE_STORE is `auto`), the cache is two-tier, memory L1 in front of a shared Redis L2.
 */
export class CacheEnv {
  /** Master switch: `false` turns every cache layer (routes, section fallback, upstream HTTP cache) into a pass-through. */
  @IsIn([true, false], { message: 'CACHE_ENABLED must be true or false' })
  @Transform(parseBoolean)
  CACHE_ENABLED: boolean = true;

  /** `auto`: Redis L2 behind the memory L1 when REDIS_URL is set; `memory`: this instance only, even with REDIS_URL. */
  @IsIn(['auto', 'memory'], { message: 'CACHE_STORE must be auto or memory' })
  CACHE_STORE: 'auto' | 'memory' = 'auto';

  /** Most entries the in-memory LRU holds. */
  @apply(int('CACHE_L1_MAX_ENTRIES', 10, 10_000_000))
  CACHE_L1_MAX_ENTRIES: number = 10_000;

  /** Most bytes (serialized entries + keys) the in-memory LRU holds. */
  @apply(int('CACHE_L1_MAX_BYTES', 1_024, 8 * 1024 * 1024 * 1024))
  CACHE_L1_MAX_BYTES: number = 64 * 1024 * 1024;

  /** Largest single entry kept in memory; larger ones go to Redis only (or are not cached). */
  @apply(int('CACHE_L1_MAX_ENTRY_BYTES', 256, 512 * 1024 * 1024))
  CACHE_L1_MAX_ENTRY_BYTES: number = 1024 * 1024;

  /** With Redis: how long an entry may be served from this instance's memory before Redis is asked again (0 = no L1). */
  @apply(int('CACHE_L1_TTL_MS', 0, 60_000))
  CACHE_L1_TTL_MS: number = 1_000;

  /** Prefix of every Redis key and channel of the cache. */
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'CACHE_REDIS_KEY_PREFIX must be 1-64 letters, digits, or : _ . -' })
  CACHE_REDIS_KEY_PREFIX: string = 'bff:cache:';

  /** Bound on every Redis command; slower answers count as a failure and the cache falls back to memory. */
  @apply(int('CACHE_REDIS_COMMAND_TIMEOUT_MS', 5, 5_000))
  CACHE_REDIS_COMMAND_TIMEOUT_MS: number = 50;

  /** Connection timeout, and the longest the boot waits for Redis (the app starts without it). */
  @apply(int('CACHE_REDIS_CONNECT_TIMEOUT_MS', 50, 30_000))
  CACHE_REDIS_CONNECT_TIMEOUT_MS: number = 1_000;

  /** After a Redis failure, how long Redis is skipped before it is tried again (a reconnect closes it earlier). */
  @apply(int('CACHE_REDIS_CIRCUIT_OPEN_MS', 50, 300_000))
  CACHE_REDIS_CIRCUIT_OPEN_MS: number = 5_000;

  /** Lifetime of the cross-instance computation lease: a holder that dies blocks nobody longer than this. */
  @apply(int('CACHE_LOCK_TTL_MS', 100, 60_000))
  CACHE_LOCK_TTL_MS: number = 5_000;

  /** Longest a request waits for another instance's computation before computing itself (also capped by its deadline). */
  @apply(int('CACHE_LOCK_WAIT_MS', 0, 30_000))
  CACHE_LOCK_WAIT_MS: number = 2_000;

  /** At most one warning per this interval and kind of cache failure. */
  @apply(int('CACHE_WARN_INTERVAL_MS', 100, 3_600_000))
  CACHE_WARN_INTERVAL_MS: number = 60_000;

  /** How long a section's last good value (aggregation `fallbackKey`) is kept for stale-if-error. */
  @apply(int('CACHE_SECTION_FALLBACK_TTL_S', 1, 30 * 24 * 3600))
  CACHE_SECTION_FALLBACK_TTL_S: number = 24 * 3600;

  /** Upstream HTTP cache: how long a response with a validator (ETag) is kept after it goes stale, for revalidation. */
  @apply(int('CACHE_UPSTREAM_REVALIDATE_WINDOW_S', 0, 7 * 24 * 3600))
  CACHE_UPSTREAM_REVALIDATE_WINDOW_S: number = 600;
}

/** Add to the app definition's `env` (next to retailEnv...) so the cache variables are validated at boot. */
export const cacheEnv = envClass(CacheEnv, 'cache');
