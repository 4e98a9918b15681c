import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

import { ASYMMETRIC_ALGORITHMS } from '../jwt/jwt-auth.env.js';
import { InvalidTokenError } from '../jwt/jwt-verifier.js';
import { DiscoveryCache, IssuerUnavailableError } from '../oidc/discovery.js';
import { traceIdp } from '../oidc/idp-tracing.js';

/** The event a logout token carries (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * How long a jti is remembered, and so the oldest `iat` accepted (minus the clock tolerance): a
 * token the replay cache may have forgotten is refused as too old.
 */
export const LOGOUT_TOKEN_REPLAY_WINDOW_MS = 180_000;
const CLOCK_TOLERANCE_SECONDS = 30;
/** Longest logout token accepted before any parsing. */
const MAX_LOGOUT_TOKEN_LENGTH = 8_192;
/** `typ` values of logout tokens: `logout+jwt` (§2.4), or the generic `JWT` some providers still send. */
const LOGOUT_TYPES = new Set(['logout+jwt', 'application/logout+jwt', 'jwt']);

export interface LogoutTokenVerifierOptions {
  readonly issuer: string;
  /** This client's id: the token's `aud`. */
  readonly clientId: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** A verified logout token: which provider session (sid) and/or which user (sub) ended. */
export interface LogoutClaims {
  readonly iss: string;
  readonly jti: string;
  readonly sid?: string;
  readonly sub?: string;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 255;

/**
 * Validates logout tokens (Back-Channel Logout 1.0 §2.6): signed by a key of the provider's JWKS
 * (found through discovery; an unknown kid re-fetches the set at most every 30 s) with an
 * asymmetric algorithm, `iss` the provider, `aud` this client, `iat` within the replay window, `exp`
 * when present, a `jti`, the back-channel-logout event, `sid` and/or `sub`, and no `nonce` (so an
 * ID token is never taken for a logout token). Replay of the `jti` is the caller's check.
 */
export class LogoutTokenVerifier {
  private readonly discovery: DiscoveryCache;
  private readonly fetchImpl: typeof fetch;
  private jwks?: JWTVerifyGetKey;
  private jwksUri?: string;

  constructor(private readonly options: LogoutTokenVerifierOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.discovery = new DiscoveryCache(options.issuer, { timeoutMs: options.timeoutMs, fetch: this.fetchImpl });
  }

  async verify(token: string): Promise<LogoutClaims> {
    if (token.length === 0 || token.length > MAX_LOGOUT_TOKEN_LENGTH) throw new InvalidTokenError('token empty or too long');
    let typ: unknown;
    try {
      typ = decodeProtectedHeader(token).typ;
    } catch (error) {
      throw new InvalidTokenError('not a JWS', { cause: error });
    }
    if (typ !== undefined && (typeof typ !== 'string' || !LOGOUT_TYPES.has(typ.toLowerCase()))) {
      throw new InvalidTokenError(`typ ${JSON.stringify(typ)} is not a logout token`);
    }
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.clientId,
        algorithms: [...ASYMMETRIC_ALGORITHMS],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: Math.floor(LOGOUT_TOKEN_REPLAY_WINDOW_MS / 1000) - CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['iss', 'aud', 'iat', 'jti'],
      }));
    } catch (error) {
      throw classify(error);
    }
    const events = payload.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) throw new InvalidTokenError('no events claim');
    const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new InvalidTokenError('not a back-channel logout event');
    if ('nonce' in payload) throw new InvalidTokenError('a logout token carries no nonce');
    if (!nonEmpty(payload.jti)) throw new InvalidTokenError('jti is not a non-empty string');
    const sid = payload.sid;
    const sub = payload.sub;
    if (sid !== undefined && !nonEmpty(sid)) throw new InvalidTokenError('sid is not a non-empty string');
    if (sub !== undefined && !nonEmpty(sub)) throw new InvalidTokenError('sub is not a non-empty string');
    if (sid === undefined && sub === undefined) throw new InvalidTokenError('neither sid nor sub');
    return { iss: this.options.issuer, jti: payload.jti, ...(sid === undefined ? {} : { sid }), ...(sub === undefined ? {} : { sub }) };
  }

  private async keySet(): Promise<JWTVerifyGetKey> {
    const document = await this.discovery.get();
    if (!document.jwks_uri) throw new IssuerUnavailableError('the issuer publishes no jwks_uri');
    if (!this.jwks || this.jwksUri !== document.jwks_uri) {
      this.jwksUri = document.jwks_uri;
      this.jwks = createRemoteJWKSet(new URL(document.jwks_uri), {
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
        timeoutDuration: this.options.timeoutMs,
        [customFetch]: (url: string, init: RequestInit) => traceIdp('jwks', () => this.fetchImpl(url, init)),
      });
    }
    return this.jwks;
  }
}

/** The token's fault (400) or the provider's (503), as for bearer tokens. */
function classify(error: unknown): Error {
  if (error instanceof IssuerUnavailableError) return error;
  if (error instanceof errors.JWKSTimeout) return new IssuerUnavailableError('key set request timed out', { cause: error });
  if (error instanceof errors.JOSEError) {
    if (error.code === 'ERR_JOSE_GENERIC') return new IssuerUnavailableError('key set request failed', { cause: error });
    return new InvalidTokenError(error.code, { cause: error });
  }
  if (error instanceof TypeError && /fetch/i.test(error.message))
    return new IssuerUnavailableError('key set request failed', { cause: error });
  return new InvalidTokenError('unverifiable', { cause: error });
}
