/** Token of the RateLimitStore (Redis-backed when REDIS_URL is set, else in memory), wrapped to fail open. */
export const RATE_LIMIT_STORE = Symbol('bff:rate-limit-store');
