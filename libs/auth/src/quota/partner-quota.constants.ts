/** Token of the PartnerQuotaStore (Redis-backed when REDIS_URL is set, else in memory), wrapped to fail open. */
export const PARTNER_QUOTA_STORE = Symbol('bff:partner-quota-store');

/** Name of the daily quota in RateLimit-Policy / RateLimit. */
export const QUOTA_POLICY = 'daily';
