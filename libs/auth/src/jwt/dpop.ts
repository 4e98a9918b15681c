import { createHash } from 'node:crypto';

import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';

import { Tracing, type RedisClient as Redis } from '@bff/core';

/** How mobile-bff treats DPoP (RFC 9449): see JWT_DPOP in jwt-auth.env.ts. */
export type DpopMode = 'off' | 'optional' | 'required';

/** Longest DPoP proof accepted before any parsing. */
export const MAX_PROOF_LENGTH = 4_096;
/** Longest `jti` accepted (it becomes a cache key). */
const MAX_JTI_LENGTH = 256;
/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The proof is not acceptable. `reason` is for logs only and never reaches the client. */
export class InvalidDpopProofError extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`invalid DPoP proof: ${reason}`, options);
    this.name = 'InvalidDpopProofError';
  }
}

/** The replay cache could not be asked (Redis down): the proof can be neither accepted nor refused. */
export class DpopReplayCacheUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('DPoP replay cache unavailable', options);
    this.name = 'DpopReplayCacheUnavailableError';
  }
}

/** Remembers proof identifiers: `claim` is true the first time a key is seen within `ttlMs`, false after. */
export interface DpopReplayCache {
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/** Per-instance cache (no REDIS_URL): bounded; a proof replayed to another instance is not noticed. */
export class MemoryDpopReplayCache implements DpopReplayCache {
  private readonly seen: LRUCache<string, true>;

  constructor(max = 100_000) {
    this.seen = new LRUCache<string, true>({ max, ttlAutopurge: false });
  }

  claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.seen.has(key)) return Promise.resolve(false);
    this.seen.set(key, true, { ttl: ttlMs });
    return Promise.resolve(true);
  }
}

/** Shared by every instance: `SET key 1 PX ttl NX` succeeds only for the first presentation. */
export class RedisDpopReplayCache implements DpopReplayCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    try {
      const answer = await Tracing.redis('dpop-replay', 'SET', () => this.redis.set(`${this.prefix}dpop:${key}`, '1', 'PX', ttlMs, 'NX'));
      return answer === 'OK';
    } catch (error) {
      throw new DpopReplayCacheUnavailableError({ cause: error });
    }
  }
}

export interface DpopProofVerifierOptions {
  /** Signature algorithms a proof may use (asymmetric only). */
  readonly algorithms: readonly string[];
  /** A proof's `iat` may differ from now by at most this many seconds, either way. */
  readonly iatWindowSeconds: number;
  readonly replayCache: DpopReplayCache;
  readonly now?: () => number;
}

export interface DpopProofInput {
  /** The `DPoP` request header. */
  readonly proof: string;
  /** The request method (`htm`). */
  readonly method: string;
  /** The request URL as the client addressed it (query and fragment are ignored). */
  readonly url: string;
  /** The access token presented with the proof (`ath`). */
  readonly accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the key the proof must be signed with. */
  readonly jkt: string;
}

/** base64url(SHA-256(access token)): the proof's `ath` (RFC 9449 §4.2). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** `htu` comparison form (RFC 9449 §4.3): scheme, host, port and path, normalized by WHATWG URL parsing. */
export function htuOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) for one request: `typ: dpop+jwt`, an allowlisted asymmetric
 * `alg`, a public `jwk` in the header that verifies the signature, `htm`/`htu` naming this request,
 * `iat` within the window, `ath` hashing the presented token, the key's RFC 7638 thumbprint equal to
 * the token's `cnf.jkt`, and finally a `jti` never seen before for this key (checked last, so
 * invalid proofs never fill the cache). Replays are remembered for twice the window: a proof
 * stays acceptable from `iat - window` to `iat + window`.
 */
export class DpopProofVerifier {
  private readonly now: () => number;

  constructor(private readonly options: DpopProofVerifierOptions) {
    this.now = options.now ?? Date.now;
  }

  async verify(input: DpopProofInput): Promise<void> {
    const { proof } = input;
    if (proof.length > MAX_PROOF_LENGTH) throw new InvalidDpopProofError('proof too long');
    let header;
    try {
      header = decodeProtectedHeader(proof);
    } catch (error) {
      throw new InvalidDpopProofError('undecodable header', { cause: error });
    }
    const jwk = header.jwk;
    if (!jwk || typeof jwk !== 'object') throw new InvalidDpopProofError('no jwk header');
    if (jwk.kty === 'oct' || PRIVATE_JWK_MEMBERS.some((member) => member in jwk))
      throw new InvalidDpopProofError('jwk is not a public key');

    let payload;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [...this.options.algorithms],
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        // iat is checked below, both ways, against the window.
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw new InvalidDpopProofError(error instanceof errors.JOSEError ? error.code : 'unverifiable', { cause: error });
    }

    const { jti, htm, htu, iat, ath } = payload as Record<string, unknown>;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw new InvalidDpopProofError('bad jti');
    if (htm !== input.method.toUpperCase()) throw new InvalidDpopProofError('htm does not match the request method');
    const expected = htuOf(input.url);
    if (typeof htu !== 'string' || expected === undefined || htuOf(htu) !== expected)
      throw new InvalidDpopProofError('htu does not match the request URL');
    const nowSeconds = Math.floor(this.now() / 1000);
    if (typeof iat !== 'number' || Math.abs(nowSeconds - iat) > this.options.iatWindowSeconds)
      throw new InvalidDpopProofError('iat outside the window');
    if (typeof ath !== 'string') throw new InvalidDpopProofError('no ath');
    if (ath !== accessTokenHash(input.accessToken)) throw new InvalidDpopProofError('ath does not match the access token');
    const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
    if (thumbprint !== input.jkt) throw new InvalidDpopProofError('key thumbprint does not match cnf.jkt');

    const key = createHash('sha256').update(`${thumbprint}.${jti}`).digest('base64url');
    if (!(await this.options.replayCache.claim(key, this.options.iatWindowSeconds * 2_000)))
      throw new InvalidDpopProofError('replayed jti');
  }
}
