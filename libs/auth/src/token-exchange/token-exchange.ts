import { createHash } from 'node:crypto';

import { untilAborted } from '@bff/core';

import { requestToken, tokenEndpointClient, type TokenEndpointClient } from '../oidc/token-endpoint.js';

/** RFC 8693 §2.1 grant type and §3 token type of an access token. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE_URN = 'urn:ietf:params:oauth:token-type:access_token';

export interface TokenExchangeOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Resource indicator of the exchanged token (its audience). */
  readonly resource: string;
  /** Scopes asked for (space-separated); none: what the provider allows. */
  readonly scope?: string;
  /** Timeout of one exchange request (default 3000 ms). */
  readonly timeoutMs?: number;
  /** Most exchanged tokens kept (default 10000; 0: none kept, every call exchanges). */
  readonly maxEntries?: number;
  readonly fetch?: typeof fetch;
  /** Called once per request to the provider (not for cached tokens, nor while failing fast), with its outcome. */
  readonly onExchange?: (outcome: 'ok' | 'refused' | 'failed') => void;
}

/**
 * The provider did not exchange the token. `refused`: it answered invalid_grant (the subject token is not
 * exchangeable: expired, revoked, for another audience); `unavailable`: anything else (unreachable,
 * timeout, 5xx, a refusal of our own request such as invalid_client or invalid_scope). The message is for
 * logs only and never carries the provider's body.
 */
export class TokenExchangeError extends Error {
  constructor(
    readonly reason: 'refused' | 'unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TokenExchangeError';
  }
}

interface Exchanged {
  readonly token: string;
  /** Epoch ms after which the token is exchanged again (before it expires). */
  readonly refreshAt: number;
}

/** Tokens without `expires_in` are assumed to live this long. */
const DEFAULT_LIFETIME_MS = 60_000;
/** After the provider was unavailable, every exchange fails at once for this long instead of queueing requests. */
const UNAVAILABLE_HOLD_MS = 1_000;

/**
 * OAuth 2.0 Token Exchange (RFC 8693) client: trades a caller's access token (the subject token) for one
 * the upstreams accept (`resource`), with the app's own client credentials (client_secret_basic).
 *
 * - One exchanged token per subject token, cached under the subject token's SHA-256 (never the token
 *   itself) until 20% of its lifetime (at most 30 s) before it expires; bounded to `maxEntries`, oldest
 *   dropped first.
 * - Single-flight: concurrent requests with one subject token share one exchange; each caller's
 *   AbortSignal ends only its own wait.
 * - The provider unreachable or failing: every exchange fails for 1 s without a request (no pile-up).
 */
export class TokenExchange {
  private readonly client: TokenEndpointClient;
  private readonly cache = new Map<string, Exchanged>();
  private readonly pending = new Map<string, Promise<Exchanged>>();
  private readonly maxEntries: number;
  private unavailable: { at: number; error: TokenExchangeError } | undefined;
  private sweptAt = 0;

  constructor(private readonly options: TokenExchangeOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.client = tokenEndpointClient({ ...options, timeoutMs: options.timeoutMs ?? 3_000 });
  }

  /** Exchanged tokens currently cached (for tests and metrics). */
  get size(): number {
    return this.cache.size;
  }

  async exchange(subjectToken: string, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const key = createHash('sha256').update(subjectToken).digest('base64url');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && now < cached.refreshAt) return cached.token;
    if (cached) this.cache.delete(key);
    if (this.unavailable && now - this.unavailable.at < UNAVAILABLE_HOLD_MS) throw this.unavailable.error;
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.request(subjectToken)
        .then((exchanged) => {
          this.options.onExchange?.('ok');
          this.store(key, exchanged);
          this.unavailable = undefined;
          return exchanged;
        })
        .catch((error: unknown) => {
          const failure = error instanceof TokenExchangeError ? error : new TokenExchangeError('unavailable', String(error));
          this.options.onExchange?.(failure.reason === 'refused' ? 'refused' : 'failed');
          if (failure.reason === 'unavailable') this.unavailable = { at: Date.now(), error: failure };
          throw failure;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return (await untilAborted(inFlight, signal)).token;
  }

  private store(key: string, exchanged: Exchanged): void {
    if (this.maxEntries === 0) return;
    if (this.cache.size >= this.maxEntries) {
      // Expired entries first (one sweep per second at most: a full cache must not cost a scan per exchange),
      // then the oldest (Map keeps insertion order).
      const now = Date.now();
      if (now - this.sweptAt >= 1_000) {
        this.sweptAt = now;
        for (const [k, v] of this.cache) if (v.refreshAt <= now) this.cache.delete(k);
      }
      while (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(key, exchanged);
  }

  private async request(subjectToken: string): Promise<Exchanged> {
    const body = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE_URN,
      requested_token_type: ACCESS_TOKEN_TYPE_URN,
      resource: this.options.resource,
    });
    if (this.options.scope) body.set('scope', this.options.scope);
    const startedAt = Date.now();
    const answer = await requestToken(this.client, 'token-exchange', body);
    switch (answer.kind) {
      case 'unreachable':
        throw new TokenExchangeError('unavailable', answer.message, { cause: answer.cause });
      case 'error':
        // Only invalid_grant is about the subject token; any other error is a refusal of our own request.
        throw new TokenExchangeError(
          answer.status === 400 && answer.code === 'invalid_grant' ? 'refused' : 'unavailable',
          `token endpoint answered ${answer.status} (${answer.code})`,
        );
      case 'malformed':
        throw new TokenExchangeError('unavailable', 'token endpoint answered without a bearer access token');
      case 'issued': {
        const issued = answer.payload.issued_token_type;
        if (issued !== undefined && issued !== ACCESS_TOKEN_TYPE_URN) {
          throw new TokenExchangeError('unavailable', 'token endpoint answered another token type than an access token');
        }
        const lifetimeMs = answer.lifetimeMs ?? DEFAULT_LIFETIME_MS;
        return { token: answer.token, refreshAt: startedAt + lifetimeMs - Math.min(30_000, lifetimeMs * 0.2) };
      }
    }
  }
}
