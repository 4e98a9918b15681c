/** Token of the RateLimitStore (Redis-backed when REDIS_URL is set, else in memory), wrapped to fail open. */
export const RATE_LIMIT_STORE = Symbol('bff:rate-limit-store');

/** Name of the throttler of the sign-in start (`@LoginRateLimit()` routes only), as shown in RateLimit-Policy. */
export const LOGIN_THROTTLER = 'login';
/** Metadata key set by `@LoginRateLimit()`. */
export const LOGIN_RATE_LIMITED = 'bff:login-rate-limited';
/** OpenAPI marker of `@LoginRateLimit()` routes, turned into their 429 documentation by documentRateLimits (then removed). */
export const LOGIN_RATE_LIMIT_EXTENSION: `x-${string}` = 'x-bff-login-rate-limit';
