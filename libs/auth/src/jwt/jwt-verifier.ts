import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

import { DiscoveryCache, IssuerUnavailableError } from '../oidc/discovery.js';
import { traceIdp } from '../oidc/idp-tracing.js';

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Asymmetric algorithms only (validated by JwtAuthEnv). */
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  /** Required `typ` header (e.g. `at+jwt`); empty or undefined disables the check. */
  readonly typ?: string;
  /** Minimum time between two key-set fetches triggered by an unknown `kid` (jose's cooldownDuration). */
  readonly jwksCooldownMs: number;
  /** The key set is re-fetched after this long even when every kid is known (jose's cacheMaxAge). */
  readonly jwksMaxAgeMs: number;
  /** Told of every key-set fetch and how it went (the metrics). */
  readonly onKeySetFetch?: (outcome: 'ok' | 'failed') => void;
  /** Timeout of discovery and key-set requests (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** The token is not acceptable. `reason` is for logs only and never reaches the client. */
export class InvalidTokenError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid token: ${reason}`, options);
    this.name = 'InvalidTokenError';
  }
}

export interface VerifiedToken {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly claims: JWTPayload;
}

/** Longest bearer token accepted before any parsing (a cheap guard against oversized input). */
export const MAX_TOKEN_LENGTH = 8_192;

/** Longest a verified token is answered from memory before its signature is checked again. */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Most verified tokens remembered (the oldest is forgotten first). */
export const MAX_VERIFIED_TOKENS = 2_000;

/**
 * Verifies access tokens issued by one OpenID provider: keys from its JWKS (found through
 * discovery), signature with an allowlisted asymmetric algorithm, `iss`, `aud`, `exp`, `nbf`
 * within the clock tolerance, `typ`, and a `sub`.
 *
 * Key handling is jose's createRemoteJWKSet: keys are cached; a token whose `kid` is unknown
 * re-fetches the set (a rotation at the IdP), but at most once per `jwksCooldownMs`, and
 * concurrent re-fetches share one request, so tokens with random kids cannot make us hammer the
 * IdP. Failed key-set fetches back off for a second so an IdP outage is not amplified either.
 *
 * A client sends the same access token with every request of its lifetime, and checking its
 * signature (an asynchronous WebCrypto RSA/ECDSA verification) was the largest cost of a bearer
 * request. A token that passed every check is therefore remembered, as its verified result, for at
 * most VERIFIED_TOKEN_TTL_MS (never longer than the key set is cached, `jwksMaxAgeMs`) and never
 * past its `exp` plus the clock tolerance; failures are never remembered. The claims checked are
 * fixed in the token, and a key the IdP withdraws is noticed no sooner than the key set is
 * re-fetched anyway, so an answer from memory is the answer a new verification would give.
 */
export class JwtVerifier {
  private readonly discovery: DiscoveryCache;
  /** token → its verified result and until when (epoch ms) it may be answered from memory. */
  private readonly verified = new Map<string, { readonly result: VerifiedToken; readonly until: number }>();
  private jwks?: JWTVerifyGetKey;
  private jwksUri?: string;
  private jwksFailedAt = -Infinity;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: JwtVerifierOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.discovery = new DiscoveryCache(options.issuer, { timeoutMs: options.timeoutMs, fetch: this.fetchImpl });
  }

  /** Fetches discovery and keys ahead of the first request; failures are only reported. */
  async warmUp(): Promise<void> {
    const jwks = await this.keySet();
    if ('reload' in jwks && typeof jwks.reload === 'function') await (jwks.reload as () => Promise<void>)();
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('token too long');
    const remembered = this.verified.get(token);
    if (remembered) {
      if (Date.now() < remembered.until) return remembered.result;
      this.verified.delete(token);
    }
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockToleranceSeconds,
        typ: this.options.typ || undefined,
        requiredClaims: ['iss', 'aud', 'exp', 'sub'],
      }));
    } catch (error) {
      throw this.classify(error);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw new InvalidTokenError('sub is not a non-empty string');
    }
    // Shared by every request presenting this token while it is remembered: read-only.
    const result: VerifiedToken = deepFreeze({ subject: payload.sub, scopes: scopesOf(payload), claims: payload });
    this.remember(token, result, payload);
    return result;
  }

  private remember(token: string, result: VerifiedToken, payload: JWTPayload): void {
    const now = Date.now();
    // jose accepts the token while now < exp + tolerance; exp is required, so it is a number here.
    const expiresAt = ((payload.exp ?? 0) + this.options.clockToleranceSeconds) * 1000;
    const until = Math.min(expiresAt, now + Math.min(VERIFIED_TOKEN_TTL_MS, this.options.jwksMaxAgeMs));
    if (until <= now) return;
    if (this.verified.size >= MAX_VERIFIED_TOKENS) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { result, until });
  }

  private async keySet(): Promise<JWTVerifyGetKey> {
    const document = await this.discovery.get();
    if (!document.jwks_uri) throw new IssuerUnavailableError('the issuer publishes no jwks_uri');
    if (!this.jwks || this.jwksUri !== document.jwks_uri) {
      this.jwksUri = document.jwks_uri;
      this.jwks = createRemoteJWKSet(new URL(document.jwks_uri), {
        cooldownDuration: this.options.jwksCooldownMs,
        cacheMaxAge: this.options.jwksMaxAgeMs,
        timeoutDuration: this.options.timeoutMs ?? 5_000,
        [customFetch]: (url: string, init: RequestInit) => this.fetchKeys(url, init),
      });
    }
    return this.jwks;
  }

  /** jose does not cool down after a *failed* fetch; this does, for one second. */
  private async fetchKeys(url: string, init: RequestInit): Promise<Response> {
    if (Date.now() - this.jwksFailedAt < 1_000) throw new IssuerUnavailableError('key set fetch recently failed');
    try {
      const response = await traceIdp('jwks', () => this.fetchImpl(url, init));
      if (response.status !== 200) this.jwksFailedAt = Date.now();
      this.options.onKeySetFetch?.(response.status === 200 ? 'ok' : 'failed');
      return response;
    } catch (error) {
      this.jwksFailedAt = Date.now();
      this.options.onKeySetFetch?.('failed');
      throw error;
    }
  }

  /** Everything about the token itself is the caller's problem (401); an unreachable IdP is ours (503). */
  private classify(error: unknown): Error {
    if (error instanceof IssuerUnavailableError) return error;
    if (error instanceof errors.JWKSTimeout) return new IssuerUnavailableError('key set request timed out', { cause: error });
    if (error instanceof errors.JOSEError) {
      // A bare JOSEError (ERR_JOSE_GENERIC) is jose's key-set fetch failing (non-200, not JSON).
      if (error.code === 'ERR_JOSE_GENERIC') return new IssuerUnavailableError('key set request failed', { cause: error });
      return new InvalidTokenError(error.code, { cause: error });
    }
    if (error instanceof TypeError && /fetch/i.test(error.message))
      return new IssuerUnavailableError('key set request failed', { cause: error });
    return new InvalidTokenError('unverifiable', { cause: error });
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Scopes from `scope` (RFC 9068: space-separated string) or `scp` (array, some IdPs). */
export function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return [];
}
