import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy, type ValidationArguments } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { parsePartnerKeys, type ParsedPartnerKeys } from './partner-keys.js';

const CACHE_MESSAGE = 'PARTNER_KEY_CACHE_MS must be an integer between 0 and 60000';

/**
 * Partner API keys (partner-bff). Keys come from PARTNER_API_KEYS (JSON, validated here at boot)
 * and, when core's REDIS_URL is set, also from Redis (see docs/auth.md for the layout and
 * `scripts/partner-keys.mjs`).
 */
export class ApiKeyAuthEnv {
  @Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) =>
    parsePartnerKeys(typeof obj[key] === 'string' ? obj[key] : ''),
  )
  @ValidateBy({
    name: 'partnerApiKeys',
    validator: {
      validate: (value: unknown) => (value as ParsedPartnerKeys | undefined)?.problems.length === 0,
      defaultMessage: (args?: ValidationArguments) =>
        (args?.value as ParsedPartnerKeys | undefined)?.problems.join('; ') ?? 'PARTNER_API_KEYS is invalid',
    },
  })
  PARTNER_API_KEYS: ParsedPartnerKeys = { records: [], problems: [] };

  /** How long an instance keeps a key found in Redis before asking again (revocation delay). */
  @IsInt({ message: CACHE_MESSAGE })
  @Min(0, { message: CACHE_MESSAGE })
  @Max(60_000, { message: CACHE_MESSAGE })
  PARTNER_KEY_CACHE_MS: number = 5_000;
}

/** Env slice of ApiKeyAuthModule; list it in the app definition's `env`. */
export const apiKeyAuthEnv: EnvSchema<ApiKeyAuthEnv> = envClass(ApiKeyAuthEnv, 'auth (api keys)');
