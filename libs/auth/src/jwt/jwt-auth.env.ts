import { Transform } from 'class-transformer';
import { ArrayNotEmpty, IsIn, IsInt, IsString, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { isIssuerUrl, issuerMessage, splitList } from '../env.util.js';
import type { DpopMode } from './dpop.js';

/**
 * Signature algorithms a bearer JWT may use: asymmetric only. `none` and the HMAC family (HS*) are
 * never accepted: with HS* the verification key is a shared secret, and a server that verifies
 * HS256 with the IdP's *public* key can be fooled by anyone holding that public key.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

const ALGORITHMS_MESSAGE =
  `JWT_ALGORITHMS must be a comma-separated list of asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}); ` +
  "'none' and HS256/HS384/HS512 are never accepted";

export const DPOP_MODES = ['off', 'optional', 'required'] as const;

const DPOP_ALGORITHMS_MESSAGE = `JWT_DPOP_ALGORITHMS must be a comma-separated list of asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')})`;

/** Bearer-JWT settings (mobile-bff). Property names are the variable names. */
export class JwtAuthEnv {
  /** Issuer of the access tokens; its keys are found through `<issuer>/.well-known/openid-configuration`. */
  @ValidateBy({ name: 'isIssuerUrl', validator: { validate: isIssuerUrl, defaultMessage: issuerMessage } })
  JWT_ISSUER: string;

  /** This API's identifier: tokens must name it in `aud` (a token for another API is refused). */
  @IsString({ message: 'JWT_AUDIENCE is required (the resource identifier tokens must carry in aud)' })
  @MinLength(1, { message: 'JWT_AUDIENCE is required (the resource identifier tokens must carry in aud)' })
  JWT_AUDIENCE: string;

  @Transform(splitList)
  @ArrayNotEmpty({ message: ALGORITHMS_MESSAGE })
  @IsIn(ASYMMETRIC_ALGORITHMS, { each: true, message: ALGORITHMS_MESSAGE })
  JWT_ALGORITHMS: AsymmetricAlgorithm[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

  /** Tolerated clock difference for exp / nbf / iat, in seconds. */
  @IsInt({ message: 'JWT_CLOCK_SKEW_SECONDS must be an integer between 0 and 300' })
  @Min(0, { message: 'JWT_CLOCK_SKEW_SECONDS must be an integer between 0 and 300' })
  @Max(300, { message: 'JWT_CLOCK_SKEW_SECONDS must be an integer between 0 and 300' })
  JWT_CLOCK_SKEW_SECONDS: number = 30;

  /**
   * Required JOSE `typ` of access tokens (RFC 9068: `at+jwt`), so an ID token is never accepted as
   * an access token. Empty disables the check (IdPs that issue untyped access tokens).
   */
  @Matches(/^$|^[A-Za-z0-9.+/-]{1,64}$/, { message: 'JWT_TYP must be a media type such as at+jwt, or empty' })
  JWT_TYP: string = 'at+jwt';

  /** A token signed by an unknown key refreshes the key set at most once per this many ms. */
  @IsInt({ message: 'JWT_JWKS_COOLDOWN_MS must be an integer between 1000 and 600000' })
  @Min(1_000, { message: 'JWT_JWKS_COOLDOWN_MS must be an integer between 1000 and 600000' })
  @Max(600_000, { message: 'JWT_JWKS_COOLDOWN_MS must be an integer between 1000 and 600000' })
  JWT_JWKS_COOLDOWN_MS: number = 30_000;

  /** The key set is re-fetched after this many ms even if every kid is known. */
  @IsInt({ message: 'JWT_JWKS_MAX_AGE_MS must be an integer between 60000 and 86400000' })
  @Min(60_000, { message: 'JWT_JWKS_MAX_AGE_MS must be an integer between 60000 and 86400000' })
  @Max(86_400_000, { message: 'JWT_JWKS_MAX_AGE_MS must be an integer between 60000 and 86400000' })
  JWT_JWKS_MAX_AGE_MS: number = 600_000;

  /**
   * DPoP (RFC 9449) sender-constrained tokens. `optional`: `Authorization: Bearer` and
   * `Authorization: DPoP` (+ `DPoP` proof) are both accepted, but a DPoP-bound token (`cnf.jkt`) is
   * never accepted as a plain bearer token; `required`: only DPoP; `off`: bearer only (no proof checks).
   */
  @IsIn(DPOP_MODES, { message: 'JWT_DPOP must be off, optional or required' })
  JWT_DPOP: DpopMode = 'optional';

  /** Signature algorithms a DPoP proof may use (asymmetric only). */
  @Transform(splitList)
  @ArrayNotEmpty({ message: DPOP_ALGORITHMS_MESSAGE })
  @IsIn(ASYMMETRIC_ALGORITHMS, { each: true, message: DPOP_ALGORITHMS_MESSAGE })
  JWT_DPOP_ALGORITHMS: AsymmetricAlgorithm[] = ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'];

  /** A proof's `iat` may differ from the server clock by at most this many seconds (either way). */
  @IsInt({ message: 'JWT_DPOP_IAT_WINDOW_SECONDS must be an integer between 5 and 300' })
  @Min(5, { message: 'JWT_DPOP_IAT_WINDOW_SECONDS must be an integer between 5 and 300' })
  @Max(300, { message: 'JWT_DPOP_IAT_WINDOW_SECONDS must be an integer between 5 and 300' })
  JWT_DPOP_IAT_WINDOW_SECONDS: number = 60;

  /**
   * The origin clients address this app at (e.g. `https://mobile-api.retail.example`), used to build
   * the `htu` a proof must name. Set it behind a proxy or load balancer; empty: the request's own
   * scheme and Host (with TRUST_PROXY, X-Forwarded-Proto/Host from trusted proxies).
   */
  @Matches(/^$|^https?:\/\/[^/?#\s]+$/, {
    message: 'JWT_DPOP_PUBLIC_ORIGIN must be an origin such as https://api.example.com (no path), or empty',
  })
  JWT_DPOP_PUBLIC_ORIGIN: string = '';
}

/** Env slice of JwtAuthModule; list it in the app definition's `env`. */
export const jwtAuthEnv: EnvSchema<JwtAuthEnv> = envClass(JwtAuthEnv, 'auth (jwt)');
