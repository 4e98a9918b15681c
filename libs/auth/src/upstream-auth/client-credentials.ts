import { untilAborted } from '@bff/core';

import { requestToken, tokenEndpointClient, type TokenEndpointClient } from '../oidc/token-endpoint.js';

export interface ClientCredentialsOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Timeout of one token request (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** What a token is requested for: the upstream's `clientCredentials` declaration. */
export interface TokenRequest {
  readonly scope?: string;
  /** Resource indicator (RFC 8707): the upstream's identifier, which becomes the token's `aud`. */
  readonly audience?: string;
  /** The account the token acts for (`account` parameter; the IdP puts it in the token's `account` claim). */
  readonly account?: string;
}

/** The token endpoint refused or could not be reached. The message is for logs only. */
export class ClientCredentialsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientCredentialsError';
  }
}

interface CachedToken {
  readonly token: string;
  /** Epoch ms at which the token expires. */
  readonly expiresAt: number;
  /** Epoch ms after which a new token is fetched (shortly before expiry). */
  readonly refreshAt: number;
}

/** Tokens without `expires_in` are assumed to live this long. */
const DEFAULT_LIFETIME_MS = 300_000;
/** After a failed request, callers get the same failure for this long instead of a new request. */
const FAILURE_HOLD_MS = 1_000;

/**
 * OAuth 2.0 client-credentials tokens (RFC 6749 §4.4) for service-to-service calls, one per
 * (scope, audience, account):
 *
 * - cached until shortly before expiry (20% of the lifetime, at most 60 s early);
 * - refreshed single-flight: concurrent callers share one token request;
 * - a failed refresh keeps serving the previous token while it is still valid;
 * - each caller's AbortSignal ends only its own wait, never the shared request.
 *
 * The token endpoint comes from the issuer's discovery document; the client authenticates with
 * HTTP Basic (client_secret_basic).
 */
export class ClientCredentialsTokens {
  private readonly client: TokenEndpointClient;
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly failures = new Map<string, { at: number; error: Error }>();

  constructor(options: ClientCredentialsOptions) {
    this.client = tokenEndpointClient({ ...options, timeoutMs: options.timeoutMs ?? 5_000 });
  }

  async token(request: TokenRequest, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const key = `${request.scope ?? ''}\n${request.audience ?? ''}\n${request.account ?? ''}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && now < cached.refreshAt) return cached.token;
    const failure = this.failures.get(key);
    if (failure && now - failure.at < FAILURE_HOLD_MS) {
      if (cached && now < cached.expiresAt) return cached.token;
      throw failure.error;
    }
    try {
      return (await untilAborted(this.refresh(key, request), signal)).token;
    } catch (error) {
      if (signal?.aborted) throw error;
      // The refresh failed, but the current token may still be good for a little while.
      const current = this.cache.get(key);
      if (current && Date.now() < current.expiresAt) return current.token;
      throw error;
    }
  }

  private refresh(key: string, request: TokenRequest): Promise<CachedToken> {
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = this.request(request)
        .then((token) => {
          this.cache.set(key, token);
          this.failures.delete(key);
          return token;
        })
        .catch((error: unknown) => {
          const failure = error instanceof Error ? error : new ClientCredentialsError(String(error));
          this.failures.set(key, { at: Date.now(), error: failure });
          throw failure;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return inFlight;
  }

  private async request(request: TokenRequest): Promise<CachedToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (request.scope) body.set('scope', request.scope);
    if (request.audience) body.set('resource', request.audience);
    if (request.account) body.set('account', request.account);
    const startedAt = Date.now();
    const answer = await requestToken(this.client, 'token', body);
    switch (answer.kind) {
      case 'unreachable':
        throw new ClientCredentialsError(answer.message, { cause: answer.cause });
      case 'error':
        throw new ClientCredentialsError(`token endpoint answered ${answer.status} (${answer.code})`);
      case 'malformed':
        throw new ClientCredentialsError('token endpoint answered without a bearer access_token');
      case 'issued': {
        const lifetimeMs = answer.lifetimeMs ?? DEFAULT_LIFETIME_MS;
        const expiresAt = startedAt + lifetimeMs;
        return { token: answer.token, expiresAt, refreshAt: expiresAt - Math.min(60_000, lifetimeMs * 0.2) };
      }
    }
  }
}
