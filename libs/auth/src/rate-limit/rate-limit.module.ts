import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { getOptionsToken, getStorageToken, type ThrottlerModuleOptions } from '@nestjs/throttler';

import { AuthMetrics } from '../auth.metrics.js';
import { PARTNER_QUOTA_STORE } from '../quota/partner-quota.constants.js';
import { PartnerQuota } from '../quota/partner-quota.js';
import {
  FailOpenPartnerQuotaStore,
  MemoryPartnerQuotaStore,
  RedisPartnerQuotaStore,
  type PartnerQuotaStore,
} from '../quota/quota.store.js';
import { AuthRedis } from '../redis/auth-redis.js';
import { AuthFailureLimiter } from './auth-failure.limiter.js';
import { LOGIN_RATE_LIMITED, LOGIN_THROTTLER, RATE_LIMIT_STORE } from './rate-limit.constants.js';
import { RateLimitEnv } from './rate-limit.env.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { FailOpenRateLimitStore, MemoryRateLimitStore, RedisRateLimitStore, type RateLimitStore } from './rate-limit.store.js';

/**
 * Rate limits for an app (@nestjs/throttler with the platform's guard and storage), configured by
 * `rateLimitEnv` (list it in the app definition): a per-client request budget on every route, and
 * the failed-authentication limiter the auth strategies use. Counters are in Redis when REDIS_URL
 * is set (shared by all instances; fail open when Redis is down), else in memory.
 *
 * Import it **after** CoreModule: its global guard must run after core's AccessGuard so that
 * limits are keyed by the authenticated client. Route-level `@Throttle({ default: {...} })` and
 * `@SkipThrottle()` from @nestjs/throttler work as documented there. `@LoginRateLimit()` routes
 * also count against the stricter 'login' throttler (AUTH_LOGIN_RATE_LIMIT per client IP).
 * Partners (API keys) also have a daily quota when their key or PARTNER_DAILY_QUOTA
 * (`partnerQuotaEnv`) sets one (PartnerQuota, same storage and fail-open rule).
 */
@Global()
@Module({})
export class RateLimitModule {
  static forRoot(): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [
        AuthRedis,
        {
          provide: RATE_LIMIT_STORE,
          useFactory: (redis: AuthRedis): RateLimitStore =>
            redis.client
              ? new FailOpenRateLimitStore(new RedisRateLimitStore(redis.client, redis.prefix), (m, e) => redis.warn(m, e))
              : new MemoryRateLimitStore(),
          inject: [AuthRedis],
        },
        { provide: getStorageToken(), useExisting: RATE_LIMIT_STORE },
        {
          provide: getOptionsToken(),
          useFactory: (env: RateLimitEnv, reflector: Reflector): ThrottlerModuleOptions => ({
            throttlers: [
              { name: 'default', limit: env.RATE_LIMIT_MAX, ttl: env.RATE_LIMIT_WINDOW_MS, blockDuration: env.RATE_LIMIT_BLOCK_MS },
              {
                name: LOGIN_THROTTLER,
                limit: env.AUTH_LOGIN_RATE_LIMIT,
                ttl: env.AUTH_LOGIN_RATE_WINDOW_MS,
                blockDuration: 0,
                // Counts only on @LoginRateLimit() routes.
                skipIf: (context) => reflector.get<boolean | undefined>(LOGIN_RATE_LIMITED, context.getHandler()) !== true,
              },
            ],
          }),
          inject: [RateLimitEnv, Reflector],
        },
        {
          provide: PARTNER_QUOTA_STORE,
          useFactory: (redis: AuthRedis): PartnerQuotaStore =>
            redis.client
              ? new FailOpenPartnerQuotaStore(new RedisPartnerQuotaStore(redis.client, redis.prefix), (m, e) => redis.warn(m, e))
              : new MemoryPartnerQuotaStore(),
          inject: [AuthRedis],
        },
        PartnerQuota,
        AuthFailureLimiter,
        AuthMetrics,
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [AuthRedis, RATE_LIMIT_STORE, AuthFailureLimiter],
    };
  }
}
