import * as oidc from 'openid-client';

import { traceIdp } from '../oidc/idp-tracing.js';

export interface OidcClientOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri?: string;
  /** Resource indicator (RFC 8707) sent with the authorization and token requests. */
  readonly resource?: string;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  /** After a failed discovery, calls fail fast for this long (default 2000 ms). */
  readonly discoveryBackoffMs?: number;
}

/** The provider could not be reached or answered something unusable: retry later, the session stays. */
export class OidcUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OidcUnavailableError';
  }
}

/** The provider (or our validation of its answer) refused: the login fails, the session ends. */
export class OidcRejectedError extends Error {
  constructor(
    /** OAuth error code (`invalid_grant`, `access_denied`...) or the validation failure code. */
    readonly error: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OidcRejectedError';
  }
}

export interface TokenResult {
  readonly accessToken: string;
  /** Seconds, when the provider says. */
  readonly expiresIn: number | undefined;
  readonly refreshToken: string | undefined;
  /** Seconds, for providers that state the refresh token's lifetime (`refresh_expires_in`). */
  readonly refreshExpiresIn: number | undefined;
  readonly scope: string | undefined;
  /** Validated ID-token claims (signature, iss, aud, exp, nonce), when an ID token came back. */
  readonly idTokenClaims: Readonly<Record<string, unknown>> | undefined;
}

/** Codes of openid-client errors that mean "the provider is unwell", not "the provider said no". */
const TRANSIENT_CODES = new Set(['OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_TIMEOUT']);

/** Sorts an openid-client failure into "retry later" and "refused". */
export function classifyOidcError(error: unknown, what: string): OidcUnavailableError | OidcRejectedError {
  if (error instanceof OidcUnavailableError || error instanceof OidcRejectedError) return error;
  if (error instanceof oidc.ResponseBodyError) {
    return error.status >= 500
      ? new OidcUnavailableError(`${what}: provider answered ${error.status} ${error.error}`, { cause: error })
      : new OidcRejectedError(error.error, `${what}: ${error.error}`, { cause: error });
  }
  if (error instanceof oidc.AuthorizationResponseError)
    return new OidcRejectedError(error.error, `${what}: ${error.error}`, { cause: error });
  if (error instanceof oidc.ClientError) {
    const code = error.code ?? 'client_error';
    return TRANSIENT_CODES.has(code)
      ? new OidcUnavailableError(`${what}: ${error.message}`, { cause: error })
      : new OidcRejectedError(code, `${what}: ${error.message}`, { cause: error });
  }
  // Network failures (TypeError from fetch), timeouts and aborts.
  return new OidcUnavailableError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function toTokenResult(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): TokenResult {
  const refreshExpiresIn = (response as { refresh_expires_in?: unknown }).refresh_expires_in;
  return {
    accessToken: response.access_token,
    expiresIn: response.expiresIn(),
    refreshToken: response.refresh_token,
    refreshExpiresIn: typeof refreshExpiresIn === 'number' && refreshExpiresIn > 0 ? refreshExpiresIn : undefined,
    scope: response.scope,
    idTokenClaims: response.claims(),
  };
}

/**
 * The web BFF as an OpenID Connect confidential client (openid-client 6): discovery on first use
 * (an unreachable provider never blocks the boot; one discovery in flight, fail fast for a moment
 * after a failure), authorization code + PKCE + state + nonce, refresh, revocation, RP-initiated
 * logout. Plain http is allowed only for loopback issuers (dev and tests), enforced by the env schema.
 */
export class OidcClient {
  private config?: oidc.Configuration;
  private pending?: Promise<oidc.Configuration>;
  private failedAt = -Infinity;
  private lastFailure?: unknown;

  constructor(private readonly options: OidcClientOptions) {}

  private configuration(): Promise<oidc.Configuration> {
    if (this.config) return Promise.resolve(this.config);
    if (this.pending) return this.pending;
    if (Date.now() - this.failedAt < (this.options.discoveryBackoffMs ?? 2_000)) {
      return Promise.reject(new OidcUnavailableError('provider discovery failed recently', { cause: this.lastFailure }));
    }
    const issuer = new URL(this.options.issuer);
    const insecure = issuer.protocol === 'http:';
    this.pending = traceIdp('discovery', () =>
      oidc.discovery(
        issuer,
        this.options.clientId,
        { redirect_uris: [this.options.redirectUri], response_types: ['code'] },
        oidc.ClientSecretBasic(this.options.clientSecret),
        { timeout: Math.ceil(this.options.timeoutMs / 1000), ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) },
      ),
    )
      .then((config) => {
        config.timeout = Math.ceil(this.options.timeoutMs / 1000);
        this.config = config;
        return config;
      })
      .catch((error: unknown) => {
        this.failedAt = Date.now();
        this.lastFailure = error;
        throw new OidcUnavailableError(`provider discovery failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Fetches the discovery document now (boot warm-up); failures are retried on first use. */
  async warmUp(): Promise<void> {
    await this.configuration();
  }

  async authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const config = await this.configuration();
    const parameters: Record<string, string> = {
      redirect_uri: this.options.redirectUri,
      response_type: 'code',
      scope: this.options.scopes.join(' '),
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (this.options.resource) parameters.resource = this.options.resource;
    return oidc.buildAuthorizationUrl(config, parameters);
  }

  /**
   * Redeems the code: checks the callback (state, `iss` when the provider advertises RFC 9207,
   * error parameters), sends the PKCE verifier, validates the ID token (signature, iss, aud, exp,
   * nonce). `callbackUrl` must be built from the configured redirect URI, never from Host headers.
   */
  async exchangeCode(callbackUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<TokenResult> {
    const config = await this.configuration();
    try {
      const response = await traceIdp('code-exchange', () =>
        oidc.authorizationCodeGrant(
          config,
          callbackUrl,
          { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true },
          this.options.resource ? { resource: this.options.resource } : undefined,
        ),
      );
      return toTokenResult(response);
    } catch (error) {
      throw classifyOidcError(error, 'authorization code grant');
    }
  }

  async refresh(refreshToken: string): Promise<TokenResult> {
    const config = await this.configuration();
    try {
      const response = await traceIdp('refresh', () =>
        oidc.refreshTokenGrant(config, refreshToken, this.options.resource ? { resource: this.options.resource } : undefined),
      );
      return toTokenResult(response);
    } catch (error) {
      throw classifyOidcError(error, 'refresh token grant');
    }
  }

  /** Revokes a refresh token (RFC 7009); the provider then ends the grant. */
  async revoke(refreshToken: string): Promise<void> {
    const config = await this.configuration();
    if (!config.serverMetadata().revocation_endpoint) return;
    try {
      await traceIdp('revocation', () => oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' }));
    } catch (error) {
      throw classifyOidcError(error, 'token revocation');
    }
  }

  /**
   * The provider's RP-initiated logout URL, identifying the client by `client_id` rather than an
   * `id_token_hint` (no ID token in the browser's history), or undefined when it has none.
   */
  async endSessionUrl(): Promise<string | undefined> {
    const config = await this.configuration();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    const parameters: Record<string, string> = { client_id: this.options.clientId };
    if (this.options.postLogoutRedirectUri) parameters.post_logout_redirect_uri = this.options.postLogoutRedirectUri;
    return oidc.buildEndSessionUrl(config, parameters).href;
  }
}
