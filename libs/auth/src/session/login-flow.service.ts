import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';

import { PlatformError, RequestContext } from '@bff/core';

import { readCookie } from './cookies.js';
import { OidcClient, OidcRejectedError, OidcUnavailableError, type TokenResult } from './oidc-client.js';
import { safeReturnTo } from './return-to.js';
import { errorMessage, loginProblem, providerUnavailable, storeCall } from './session-errors.js';
import { loginKey, newId, newSessionRecord, sameString, sessionKey, storeTtl } from './session-record.js';
import { SessionConfig } from './session.config.js';
import { SESSION_STORE } from './session.constants.js';
import type { SessionStore } from './session.store.js';
import type { PendingLogin, RequestHeaders, SessionRecord } from './session.types.js';

/** A redirect the app answers with, plus the cookies to set on it. */
export interface AuthRedirect {
  readonly location: string;
  readonly cookies: readonly string[];
}

export interface LogoutResult {
  /** Where the browser goes next to end the provider session too (RP-initiated logout), when the provider supports it. */
  readonly endSessionUrl: string | null;
  readonly cookies: readonly string[];
}

/**
 * The web BFF's sign-in and sign-out: the authorization code flow (PKCE, state, nonce) that ends in
 * a new server-side session addressed by an opaque cookie, and the logout that ends it (store,
 * refresh token at the provider, cookie).
 */
@Injectable()
export class LoginFlow {
  private readonly logger = new Logger('LoginFlow');

  constructor(
    private readonly config: SessionConfig,
    private readonly oidc: OidcClient,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  /**
   * Starts a login: the provider's authorization URL to redirect to, and the Lax login cookie that
   * binds state, nonce and PKCE verifier (kept server-side) to this browser. A session this
   * browser already has is ended first: a login always yields a new session id.
   */
  async beginLogin(returnTo: string | undefined, headers: RequestHeaders): Promise<AuthRedirect> {
    const target = returnTo === undefined ? this.config.defaultReturnTo : safeReturnTo(returnTo);
    if (!target) {
      throw new PlatformError('bad_request', 'INVALID_RETURN_TO', 'returnTo is not a same-origin path', {
        publicDetail: 'returnTo must be a path on this site, such as /account.',
      });
    }
    const pending: PendingLogin = {
      state: randomState(),
      nonce: randomNonce(),
      codeVerifier: randomPKCECodeVerifier(),
      returnTo: target,
      createdAt: Date.now(),
    };
    const url = await fromProvider(() => this.oidc.authorizationUrl(pending));

    const cookies: string[] = [];
    const previous = readCookie(headers, this.config.cookies.names.session);
    if (previous) {
      await this.endSession(previous);
      cookies.push(this.config.cookies.clearSession());
    }
    const loginId = newId();
    await storeCall(() => this.store.create(loginKey(loginId), pending, this.config.loginTtlMs));
    cookies.push(this.config.cookies.login(loginId, this.config.loginTtlMs / 1000));
    return { location: url.href, cookies };
  }

  /**
   * Completes a login on the provider's redirect: the login cookie must name a pending login
   * (used once), whose state matches; the code is redeemed with the PKCE verifier and the ID
   * token validated (iss, aud, signature, nonce). A brand-new session id is issued.
   * The login cookie is cleared whatever happens.
   */
  async completeLogin(query: string, headers: RequestHeaders): Promise<AuthRedirect> {
    RequestContext.setResponseHeader('set-cookie', this.config.cookies.clearLogin());
    const loginId = readCookie(headers, this.config.cookies.names.login);
    if (!loginId) throw loginProblem('LOGIN_STATE_MISSING', 'No login cookie on the callback');
    const pending = await storeCall(() => this.store.take<PendingLogin>(loginKey(loginId)));
    if (!pending) throw loginProblem('LOGIN_EXPIRED', 'Unknown or expired pending login');

    const params = new URLSearchParams(query);
    if (!sameString(params.get('state') ?? '', pending.state))
      throw loginProblem('LOGIN_STATE_MISMATCH', 'state does not match the pending login');
    const callbackUrl = new URL(this.config.redirectUri);
    callbackUrl.search = params.toString();

    let tokens: TokenResult;
    try {
      tokens = await this.oidc.exchangeCode(callbackUrl, pending);
    } catch (error) {
      throw loginFailure(error);
    }
    const claims = tokens.idTokenClaims;
    if (!claims || typeof claims.sub !== 'string') throw loginProblem('LOGIN_FAILED', 'No ID token subject');

    const now = Date.now();
    const record = newSessionRecord(tokens, claims, now, this.config);
    const sessionId = newId();
    await storeCall(() => this.store.create(sessionKey(sessionId), record, storeTtl(record, now, this.config.idleMs)));
    this.logger.log({ sub: record.sub, store: this.store.kind }, 'Session created');
    return { location: pending.returnTo, cookies: [this.config.cookies.session(sessionId, (record.absoluteExpiresAt - now) / 1000)] };
  }

  /**
   * Ends this browser's session (if any): deleted from the store, refresh token revoked at the
   * provider (which ends the grant), cookie cleared. Idempotent. Returns the provider's logout URL
   * for the SPA to navigate to, so the provider session ends too.
   */
  async logout(headers: RequestHeaders): Promise<LogoutResult> {
    const sessionId = readCookie(headers, this.config.cookies.names.session);
    if (sessionId) await this.endSession(sessionId);
    let endSessionUrl: string | undefined;
    try {
      endSessionUrl = await this.oidc.endSessionUrl();
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'Provider logout URL unavailable; the local session is ended anyway');
    }
    return { endSessionUrl: endSessionUrl ?? null, cookies: [this.config.cookies.clearSession()] };
  }

  /** Deletes the session and revokes its refresh token (a failed revocation still ends it locally). */
  private async endSession(sessionId: string): Promise<void> {
    const record = await storeCall(() => this.store.take<SessionRecord>(sessionKey(sessionId)));
    if (!record?.refreshToken) return;
    try {
      await this.oidc.revoke(record.refreshToken);
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'Refresh token revocation failed; the session is ended locally');
    }
  }
}

/** Runs a provider call; any failure is the provider being unavailable (503). */
async function fromProvider<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw providerUnavailable(error);
  }
}

function loginFailure(error: unknown): PlatformError {
  if (error instanceof OidcUnavailableError) return providerUnavailable(error);
  const reason = error instanceof OidcRejectedError && /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'invalid_response';
  return loginProblem('LOGIN_FAILED', errorMessage(error), { reason }, error);
}
