import { Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { parseBoolean } from '../env.util.js';
import { documentRateLimits } from './rate-limit.openapi.js';

const int = (name: string, min: number, max: number) => {
  const message = `${name} must be an integer between ${min} and ${max}`;
  return [IsInt({ message }), Min(min, { message }), Max(max, { message })];
};
const apply =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of decorators) decorator(target, key);
  };

/**
 * Rate limits (RateLimitModule) and the Redis key layout of libs/auth. Counters live in Redis when
 * core's REDIS_URL is set (shared by every instance), else in memory (per instance).
 */
export class RateLimitEnv {
  /** Per-client request limit on every guarded route (partner id, token subject, else IP). */
  @IsIn([true, false], { message: 'RATE_LIMIT_ENABLED must be true or false' })
  @Transform(parseBoolean)
  RATE_LIMIT_ENABLED: boolean = true;

  /** Requests one client may make per window. */
  @apply(...int('RATE_LIMIT_MAX', 1, 1_000_000))
  RATE_LIMIT_MAX: number = 600;

  @apply(...int('RATE_LIMIT_WINDOW_MS', 1_000, 86_400_000))
  RATE_LIMIT_WINDOW_MS: number = 60_000;

  /** How long a client over its limit is refused; 0 = until its window ends. */
  @apply(...int('RATE_LIMIT_BLOCK_MS', 0, 86_400_000))
  RATE_LIMIT_BLOCK_MS: number = 0;

  /**
   * Requests per client IP per window on `@LoginRateLimit()` routes (web-bff's GET /auth/login), a
   * budget of its own on top of RATE_LIMIT_MAX: a sign-in start is anonymous and makes a
   * provider round trip, so it is held much tighter than browsing.
   */
  @apply(...int('AUTH_LOGIN_RATE_LIMIT', 1, 100_000))
  AUTH_LOGIN_RATE_LIMIT: number = 20;

  @apply(...int('AUTH_LOGIN_RATE_WINDOW_MS', 1_000, 86_400_000))
  AUTH_LOGIN_RATE_WINDOW_MS: number = 60_000;

  /** Failed authentications (bad API key, forged/invalid token) one IP may make per window, per strategy. */
  @apply(...int('AUTH_FAILURE_MAX', 1, 100_000))
  AUTH_FAILURE_MAX: number = 20;

  @apply(...int('AUTH_FAILURE_WINDOW_MS', 1_000, 86_400_000))
  AUTH_FAILURE_WINDOW_MS: number = 60_000;

  /** How long an IP over the failure limit is refused (429) for that strategy, whatever it sends. */
  @apply(...int('AUTH_FAILURE_BLOCK_MS', 1_000, 86_400_000))
  AUTH_FAILURE_BLOCK_MS: number = 300_000;

  /**
   * Prefix of every Redis key libs/auth uses: `<prefix>rl:...` (rate limits) and
   * `<prefix>partner-key:...` (API keys). Lets several environments share one Redis.
   */
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'AUTH_REDIS_PREFIX must be 1-64 characters of letters, digits, : _ . -' })
  AUTH_REDIS_PREFIX: string = 'bff:';

  /** A Redis command slower than this counts as failed (rate limits then fail open). */
  @apply(...int('AUTH_REDIS_TIMEOUT_MS', 10, 5_000))
  AUTH_REDIS_TIMEOUT_MS: number = 250;
}

/** Env slice of RateLimitModule; list it in the app definition's `env`. */
export const rateLimitEnv: EnvSchema<RateLimitEnv> = { ...envClass(RateLimitEnv, 'auth (rate limits)'), openApi: documentRateLimits };
