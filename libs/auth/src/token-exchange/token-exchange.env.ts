import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { isIssuerUrl, issuerMessage } from '../env.util.js';

const int = (name: string, min: number, max: number) => ({ message: `${name} must be an integer between ${min} and ${max}` });
const enabled = (env: TokenExchangeEnv): boolean => env.JWT_TOKEN_EXCHANGE_CLIENT_ID !== undefined;

/**
 * OAuth 2.0 Token Exchange (RFC 8693) of the caller's bearer token for the upstreams' audience
 * (`UpstreamAuthModule.forRoot({ tokenExchange: true })`). On when JWT_TOKEN_EXCHANGE_CLIENT_ID is set; the
 * rest is then required. Off, 'relay' upstream calls answer 503 token-exchange-unavailable (never the
 * caller's token, which is for this API's audience, not theirs).
 */
export class TokenExchangeEnv {
  /** The app's own confidential OAuth client at the provider, allowed the token-exchange grant. */
  @IsOptional()
  @IsString({ message: 'JWT_TOKEN_EXCHANGE_CLIENT_ID must be the OAuth client id of this app' })
  @MinLength(1, { message: 'JWT_TOKEN_EXCHANGE_CLIENT_ID must be the OAuth client id of this app' })
  JWT_TOKEN_EXCHANGE_CLIENT_ID?: string;

  @ValidateIf(enabled)
  @ValidateBy({
    name: 'isClientSecret',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && v.length >= 8,
      defaultMessage: (args) =>
        typeof args?.value === 'string' && args.value !== ''
          ? 'JWT_TOKEN_EXCHANGE_CLIENT_SECRET must be at least 8 characters'
          : 'JWT_TOKEN_EXCHANGE_CLIENT_SECRET is required with JWT_TOKEN_EXCHANGE_CLIENT_ID',
    },
  })
  JWT_TOKEN_EXCHANGE_CLIENT_SECRET?: string;

  /** Issuer whose token endpoint (found through discovery) exchanges tokens. Default: JWT_ISSUER. */
  @IsOptional()
  @ValidateBy({ name: 'isIssuerUrl', validator: { validate: isIssuerUrl, defaultMessage: issuerMessage } })
  JWT_TOKEN_EXCHANGE_ISSUER?: string;

  /** Resource indicator (RFC 8707) of the upstream APIs: the exchanged token's audience. */
  @ValidateIf(enabled)
  @ValidateBy({
    name: 'isAbsoluteUri',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && URL.canParse(v) && !v.includes('#'),
      defaultMessage: () => 'JWT_TOKEN_EXCHANGE_RESOURCE is required with JWT_TOKEN_EXCHANGE_CLIENT_ID: an absolute URI without fragment',
    },
  })
  JWT_TOKEN_EXCHANGE_RESOURCE?: string;

  /** Scopes asked for (space-separated); the provider grants their intersection with the caller's. Empty: all it allows. */
  @Matches(/^$|^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, {
    message: 'JWT_TOKEN_EXCHANGE_SCOPE must be space-separated OAuth scope tokens',
  })
  JWT_TOKEN_EXCHANGE_SCOPE: string = '';

  /** Timeout of one exchange request. */
  @IsInt(int('JWT_TOKEN_EXCHANGE_TIMEOUT_MS', 100, 30_000))
  @Min(100, int('JWT_TOKEN_EXCHANGE_TIMEOUT_MS', 100, 30_000))
  @Max(30_000, int('JWT_TOKEN_EXCHANGE_TIMEOUT_MS', 100, 30_000))
  JWT_TOKEN_EXCHANGE_TIMEOUT_MS: number = 3_000;

  /** Most exchanged tokens kept in memory (one per caller token, until shortly before expiry). */
  @IsInt(int('JWT_TOKEN_EXCHANGE_CACHE_MAX', 0, 1_000_000))
  @Min(0, int('JWT_TOKEN_EXCHANGE_CACHE_MAX', 0, 1_000_000))
  @Max(1_000_000, int('JWT_TOKEN_EXCHANGE_CACHE_MAX', 0, 1_000_000))
  JWT_TOKEN_EXCHANGE_CACHE_MAX: number = 10_000;
}

/** Env slice of `UpstreamAuthModule.forRoot({ tokenExchange: true })` (next to jwtAuthEnv, whose JWT_ISSUER is the default issuer). */
export const tokenExchangeEnv: EnvSchema<TokenExchangeEnv> = envClass(TokenExchangeEnv, 'auth (token exchange)');
