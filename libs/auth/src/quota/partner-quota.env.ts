import { IsInt, IsOptional, Max, Min } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { documentPartnerQuota } from './partner-quota.openapi.js';

const MESSAGE = 'PARTNER_DAILY_QUOTA must be an integer between 1 and 1000000000';

/**
 * The platform default of the partner daily quota (requests per partner per UTC day, counted by
 * RateLimitModule's guard). A key's own `dailyQuota` (PARTNER_API_KEYS, or
 * `scripts/partner-keys.mjs --daily-quota`) overrides it; unset with no key quota = no daily quota.
 */
export class PartnerQuotaEnv {
  @IsOptional()
  @IsInt({ message: MESSAGE })
  @Min(1, { message: MESSAGE })
  @Max(1_000_000_000, { message: MESSAGE })
  PARTNER_DAILY_QUOTA?: number;
}

/** Env slice of the partner daily quota (partner-bff lists it); also documents the quota on `api-key` routes. */
export const partnerQuotaEnv: EnvSchema<PartnerQuotaEnv> = {
  ...envClass(PartnerQuotaEnv, 'auth (partner quota)'),
  openApi: documentPartnerQuota,
};
