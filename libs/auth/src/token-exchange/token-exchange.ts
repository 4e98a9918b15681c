import { createHash } from 'node:crypto';

import { DiscoveryCache } from '../oidc/discovery.js';
import { traceIdp } from '../oidc/idp-tracing.js';

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
  private readonly discovery: DiscoveryCache;
  private readonly cache = new Map<string, Exchanged>();
  private readonly pending = new Map<string, Promise<Exchanged>>();
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;
  private unavailable: { at: number; error: TokenExchangeError } | undefined;
  private sweptAt = 0;

  constructor(private readonly options: TokenExchangeOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.discovery = new DiscoveryCache(options.issuer, { timeoutMs: this.timeoutMs, fetch: this.fetchImpl });
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
    return (await abortable(inFlight, signal)).token;
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
    let endpoint: string | undefined;
    try {
      endpoint = (await this.discovery.get()).token_endpoint;
    } catch (cause) {
      throw new TokenExchangeError('unavailable', 'identity provider discovery failed', { cause });
    }
    if (!endpoint) throw new TokenExchangeError('unavailable', 'the issuer publishes no token_endpoint');

    const body = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE_URN,
      requested_token_type: ACCESS_TOKEN_TYPE_URN,
      resource: this.options.resource,
    });
    if (this.options.scope) body.set('scope', this.options.scope);
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
    const basic = Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString(
      'base64',
    );
    const startedAt = Date.now();
    let response: Response;
    try {
      response = await traceIdp('token-exchange', () =>
        this.fetchImpl(endpoint, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(this.timeoutMs),
        }),
      );
    } catch (cause) {
      throw new TokenExchangeError('unavailable', 'token exchange request failed', { cause });
    }
    const payload = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (response.status !== 200) {
      const code = typeof payload?.error === 'string' ? payload.error.slice(0, 64) : 'no error code';
      throw new TokenExchangeError(
        response.status === 400 && code === 'invalid_grant' ? 'refused' : 'unavailable',
        `token endpoint answered ${response.status} (${code})`,
      );
    }
    const token = payload?.access_token;
    const type = payload?.token_type;
    const issued = payload?.issued_token_type;
    if (
      typeof token !== 'string' ||
      token.length === 0 ||
      typeof type !== 'string' ||
      type.toLowerCase() !== 'bearer' ||
      (issued !== undefined && issued !== ACCESS_TOKEN_TYPE_URN)
    ) {
      throw new TokenExchangeError('unavailable', 'token endpoint answered without a bearer access token');
    }
    const expiresIn = payload?.expires_in;
    const lifetimeMs = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_LIFETIME_MS;
    return { token, refreshAt: startedAt + lifetimeMs - Math.min(30_000, lifetimeMs * 0.2) };
  }
}

/** Resolves like `promise`, or rejects as soon as `signal` aborts (the promise itself goes on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
