import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, type ValidationArguments } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { isIssuerUrl, issuerMessage, parseBoolean } from '../env.util.js';
import { isSecureOrLoopback } from '../oidc/discovery.js';
import { documentCsrf } from './csrf.openapi.js';

/** An absolute https URL (http only on loopback, for dev and tests), without fragment or credentials. */
function isClientUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return isSecureOrLoopback(url) && url.hash === '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const urlMessage = (args: ValidationArguments): string =>
  `${args.property} must be an absolute https URL (http only on localhost/127.0.0.1) registered at the OpenID provider`;

const environmentOf = (args: ValidationArguments): string => {
  const value = (args.object as Record<string, unknown>).NODE_ENV;
  return typeof value === 'string' && value !== '' ? value : 'production';
};

const int = (name: string, min: number, max: number) => ({ message: `${name} must be an integer between ${min} and ${max}` });

/**
 * Web session (token handler) settings of web-bff. Property names are the variable names; every
 * value is validated at boot and a bad one stops the app with a list of all problems.
 */
export class SessionAuthEnv {
  /** Issuer of the OpenID provider; its endpoints come from `<issuer>/.well-known/openid-configuration`. */
  @ValidateBy({ name: 'isIssuerUrl', validator: { validate: isIssuerUrl, defaultMessage: issuerMessage } })
  OIDC_ISSUER_URL: string;

  @IsString({ message: 'OIDC_CLIENT_ID is required (the client id registered at the OpenID provider)' })
  @MinLength(1, { message: 'OIDC_CLIENT_ID is required (the client id registered at the OpenID provider)' })
  OIDC_CLIENT_ID: string;

  /** Confidential client secret (client_secret_basic). Never logged. */
  @IsString({ message: 'OIDC_CLIENT_SECRET is required (the confidential client secret)' })
  @MinLength(8, { message: 'OIDC_CLIENT_SECRET must be at least 8 characters' })
  OIDC_CLIENT_SECRET: string;

  /** This BFF's `/auth/callback` URL as the browser reaches it, registered at the provider. */
  @ValidateBy({ name: 'isClientUrl', validator: { validate: isClientUrl, defaultMessage: urlMessage } })
  OIDC_REDIRECT_URI: string;

  /** Where the provider sends the browser after RP-initiated logout (registered at the provider). */
  @IsOptional()
  @ValidateBy({ name: 'isClientUrl', validator: { validate: isClientUrl, defaultMessage: urlMessage } })
  OIDC_POST_LOGOUT_REDIRECT_URI?: string;

  /** Resource indicator (RFC 8707) of the APIs the access token is for; the provider's default when unset. */
  @IsOptional()
  @ValidateBy({
    name: 'isAbsoluteUri',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && URL.canParse(v) && !v.includes('#'),
      defaultMessage: () => 'OIDC_RESOURCE must be an absolute URI without fragment',
    },
  })
  OIDC_RESOURCE?: string;

  /** Timeout of each call to the provider (discovery, token, revocation). */
  @IsInt(int('OIDC_TIMEOUT_MS', 500, 30_000))
  @Min(500, int('OIDC_TIMEOUT_MS', 500, 30_000))
  @Max(30_000, int('OIDC_TIMEOUT_MS', 500, 30_000))
  OIDC_TIMEOUT_MS: number = 5_000;

  /** A session unused for this long ends. */
  @IsInt(int('SESSION_IDLE_TIMEOUT_SECONDS', 60, 86_400))
  @Min(60, int('SESSION_IDLE_TIMEOUT_SECONDS', 60, 86_400))
  @Max(86_400, int('SESSION_IDLE_TIMEOUT_SECONDS', 60, 86_400))
  SESSION_IDLE_TIMEOUT_SECONDS: number = 1_800;

  /**
   * A session ends this long after login whatever its use. Keep it at most the provider's
   * refresh-token lifetime (a refused refresh ends the session earlier anyway).
   */
  @IsInt(int('SESSION_ABSOLUTE_TIMEOUT_SECONDS', 300, 2_592_000))
  @Min(300, int('SESSION_ABSOLUTE_TIMEOUT_SECONDS', 300, 2_592_000))
  @Max(2_592_000, int('SESSION_ABSOLUTE_TIMEOUT_SECONDS', 300, 2_592_000))
  @ValidateBy({
    name: 'atLeastIdle',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        typeof value !== 'number' || value >= Number((args?.object as SessionAuthEnv | undefined)?.SESSION_IDLE_TIMEOUT_SECONDS ?? 0),
      defaultMessage: () => 'SESSION_ABSOLUTE_TIMEOUT_SECONDS must be at least SESSION_IDLE_TIMEOUT_SECONDS',
    },
  })
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: number = 28_800;

  /** The access token is refreshed this long before it expires. */
  @IsInt(int('SESSION_REFRESH_SKEW_SECONDS', 0, 300))
  @Min(0, int('SESSION_REFRESH_SKEW_SECONDS', 0, 300))
  @Max(300, int('SESSION_REFRESH_SKEW_SECONDS', 0, 300))
  SESSION_REFRESH_SKEW_SECONDS: number = 30;

  /** How long a started login may take (from /auth/login to /auth/callback). */
  @IsInt(int('SESSION_LOGIN_TIMEOUT_SECONDS', 60, 3_600))
  @Min(60, int('SESSION_LOGIN_TIMEOUT_SECONDS', 60, 3_600))
  @Max(3_600, int('SESSION_LOGIN_TIMEOUT_SECONDS', 60, 3_600))
  SESSION_LOGIN_TIMEOUT_SECONDS: number = 600;

  /**
   * Key material of the sealed login-state cookies (AES-256-GCM, key by HKDF), identical on every
   * instance; at least 32 characters. Unset: derived from OIDC_CLIENT_SECRET (stretched with
   * scrypt), so rotating that secret also voids the logins in progress (at most
   * SESSION_LOGIN_TIMEOUT_SECONDS old). Never logged.
   */
  @IsOptional()
  @IsString({ message: 'SESSION_LOGIN_STATE_SECRET must be a string of at least 32 characters' })
  @MinLength(32, { message: 'SESSION_LOGIN_STATE_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)' })
  SESSION_LOGIN_STATE_SECRET?: string;

  /**
   * Bound of the in-memory store (no REDIS_URL): sessions only (pending logins live in their sealed
   * cookies); the least recently used sessions are evicted beyond it.
   */
  @IsInt(int('SESSION_MAX_IN_MEMORY', 100, 1_000_000))
  @Min(100, int('SESSION_MAX_IN_MEMORY', 100, 1_000_000))
  @Max(1_000_000, int('SESSION_MAX_IN_MEMORY', 100, 1_000_000))
  SESSION_MAX_IN_MEMORY: number = 10_000;

  /** Key prefix of the sessions in Redis (REDIS_URL). Default `bff:<app name>:session:`. */
  @IsOptional()
  @Matches(/^[\w:.-]{1,64}$/, { message: 'SESSION_REDIS_PREFIX must be 1 to 64 characters among letters, digits, _ : . -' })
  SESSION_REDIS_PREFIX?: string;

  /**
   * Localhost-over-http development only: cookies without `Secure` and so without the `__Host-`
   * prefix. Refused unless NODE_ENV is explicitly development or test.
   */
  @Transform(parseBoolean)
  @IsIn([true, false], { message: 'SESSION_COOKIE_DEV_MODE must be true or false' })
  @ValidateBy({
    name: 'devModeOutsideProduction',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) =>
        value !== true || (args !== undefined && environmentOf(args) !== 'production'),
      defaultMessage: () =>
        'SESSION_COOKIE_DEV_MODE=true is refused when NODE_ENV is production (or unset): it drops the Secure flag and the __Host- prefix of the session cookie',
    },
  })
  SESSION_COOKIE_DEV_MODE: boolean = false;

  /**
   * Audience (`aud`) of the platform team's access tokens for the session admin routes
   * (/admin/sessions): bearer JWTs (at+jwt) from OIDC_ISSUER_URL holding the scope `sessions:admin`,
   * e.g. issued to a client-credentials client. Unset: the admin routes answer 404.
   */
  @IsOptional()
  @Matches(/^\S{1,255}$/, { message: 'SESSION_ADMIN_AUDIENCE must be 1 to 255 characters without spaces' })
  SESSION_ADMIN_AUDIENCE?: string;

  /**
   * Origins besides this site's that /auth/login's returnTo may send the browser back to, comma-separated
   * (e.g. http://localhost:5173, the Vite dev server proxying /api and /auth here). Empty: paths on this site only.
   */
  @Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) =>
    typeof obj[key] === 'string'
      ? obj[key]
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : obj[key],
  )
  @Matches(/^https?:\/\/[^/\s?#@]+$/, {
    each: true,
    message: 'SESSION_RETURN_ORIGINS must be a comma-separated list of origins like http://localhost:5173',
  })
  SESSION_RETURN_ORIGINS: string[] = [];
}

/** Env slice of SessionAuthModule; list it in the app definition's `env`. */
export const sessionAuthEnv: EnvSchema<SessionAuthEnv> = { ...envClass(SessionAuthEnv, 'auth (session)'), openApi: documentCsrf };
