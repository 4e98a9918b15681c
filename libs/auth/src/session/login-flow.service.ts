import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';

import { PlatformError, RequestContext } from '@bff/core';

import { readCookie, readLoginCookies } from './cookies.js';
import { loginCookieSuffix, LoginStateSealer } from './login-state.js';
import { OidcClient, OidcRejectedError, OidcUnavailableError, type TokenResult } from './oidc-client.js';
import { resolveReturnTo } from './return-to.js';
import { SessionDirectory } from './session-directory.js';
import { errorMessage, loginProblem, providerUnavailable, storeCall } from './session-errors.js';
import { handleKey, newId, newSessionRecord, sameString, sessionHandle, storeTtl } from './session-record.js';
import { SessionConfig } from './session.config.js';
import { MAX_PENDING_LOGINS, SESSION_STORE } from './session.constants.js';
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
 * The web BFF's sign-in and sign-out: the authorization code flow (PKCE, state, nonce; the pending
 * login sealed in a cookie of its own, never stored server-side) that ends in a new server-side
 * session addressed by an opaque cookie, and the logout that ends it (store, refresh token at the
 * provider, cookie).
 */
@Injectable()
export class LoginFlow {
  private readonly logger = new Logger('LoginFlow');

  constructor(
    private readonly config: SessionConfig,
    private readonly oidc: OidcClient,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly loginState: LoginStateSealer,
    private readonly directory: SessionDirectory,
  ) {}

  /**
   * Starts a login: the provider's authorization URL to redirect to, and the Lax login cookie
   * that carries state, nonce, PKCE verifier and returnTo sealed (AES-256-GCM), so a pending login
   * takes no server storage. Each login has its own cookie (named from its state), so several tabs
   * can sign in at once; beyond MAX_PENDING_LOGINS the oldest are dropped, as are unreadable and
   * expired ones. A session this browser already has is ended first: a login always yields a new
   * session id.
   */
  async beginLogin(returnTo: string | undefined, headers: RequestHeaders): Promise<AuthRedirect> {
    const target = returnTo === undefined ? this.config.defaultReturnTo : resolveReturnTo(returnTo, this.config.returnOrigins);
    if (!target) {
      throw new PlatformError('bad_request', 'INVALID_RETURN_TO', 'returnTo is not a same-origin path', {
        publicDetail: 'returnTo must be a path on this site, such as /account, or a URL on an allowed origin.',
      });
    }
    const now = Date.now();
    const pending: PendingLogin = {
      state: randomState(),
      nonce: randomNonce(),
      codeVerifier: randomPKCECodeVerifier(),
      returnTo: target,
      createdAt: now,
    };
    const url = await fromProvider(() => this.oidc.authorizationUrl(pending));

    const cookies: string[] = [];
    const previous = readCookie(headers, this.config.cookies.names.session);
    if (previous) {
      await this.endSession(previous);
      cookies.push(this.config.cookies.clearSession());
    }
    cookies.push(...this.staleLoginCookies(headers, now).map((suffix) => this.config.cookies.clearLogin(suffix)));
    const sealed = this.loginState.seal(pending, now + this.config.loginTtlMs);
    cookies.push(this.config.cookies.login(loginCookieSuffix(pending.state), sealed, this.config.loginTtlMs / 1000));
    return { location: url.href, cookies };
  }

  /**
   * Completes a login on the provider's redirect: the login cookie named from the returned
   * `state` must open (sealed by this app's key, not expired) and hold that state; the code is
   * redeemed with the PKCE verifier and the ID token validated (iss, aud, signature, nonce). A
   * brand-new session id is issued. That login cookie is cleared whatever happens, so the browser
   * cannot replay it; a captured copy replayed elsewhere meets the provider's single-use code.
   */
  async completeLogin(query: string, headers: RequestHeaders): Promise<AuthRedirect> {
    const params = new URLSearchParams(query);
    const state = params.get('state') ?? '';
    const suffix = loginCookieSuffix(state);
    RequestContext.setResponseHeader('set-cookie', this.config.cookies.clearLogin(suffix));
    const loginCookies = readLoginCookies(headers, this.config.cookies.names.login);
    if (loginCookies.length === 0) throw loginProblem('LOGIN_STATE_MISSING', 'No login cookie on the callback');
    const cookie = loginCookies.find((candidate) => candidate.suffix === suffix);
    if (!cookie) throw loginProblem('LOGIN_STATE_MISMATCH', 'No login cookie for the returned state');
    const opened = this.loginState.open(cookie.value, Date.now());
    if (!opened.ok) {
      throw opened.reason === 'expired'
        ? loginProblem('LOGIN_EXPIRED', 'The login state cookie has expired')
        : loginProblem('LOGIN_STATE_INVALID', 'The login state cookie does not open (tampered, forged or sealed with another key)');
    }
    const pending = opened.login;
    if (!sameString(state, pending.state)) throw loginProblem('LOGIN_STATE_MISMATCH', 'state does not match the pending login');
    // Sealed by us after validation; checked again so no key mishap can turn it into an open redirect.
    const returnTo = resolveReturnTo(pending.returnTo, this.config.returnOrigins);
    if (!returnTo) throw loginProblem('LOGIN_STATE_INVALID', 'The sealed returnTo is not a same-origin path');
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
    const handle = sessionHandle(sessionId);
    await storeCall(() => this.store.create(handleKey(handle), record, storeTtl(record, now, this.config.idleMs)));
    // Listed under its subject and provider session (sid), for back-channel logout and the admin routes.
    await this.directory.register(handle, record, now);
    this.logger.log({ sub: record.sub, store: this.store.kind }, 'Session created');
    return { location: returnTo, cookies: [this.config.cookies.session(sessionId, (record.absoluteExpiresAt - now) / 1000)] };
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

  /**
   * Suffixes of the login cookies to clear before one more is set: those that do not open or have
   * expired, and the oldest beyond MAX_PENDING_LOGINS - 1, which keeps the Cookie header small.
   */
  private staleLoginCookies(headers: RequestHeaders, now: number): string[] {
    const live: Array<{ suffix: string; createdAt: number }> = [];
    const stale: string[] = [];
    for (const { suffix, value } of readLoginCookies(headers, this.config.cookies.names.login)) {
      const opened = this.loginState.open(value, now);
      if (opened.ok) live.push({ suffix, createdAt: opened.login.createdAt });
      else stale.push(suffix);
    }
    live.sort((a, b) => b.createdAt - a.createdAt);
    return [...stale, ...live.slice(MAX_PENDING_LOGINS - 1).map((login) => login.suffix)];
  }

  /** Deletes the session and revokes its refresh token (a failed revocation still ends it locally). */
  private async endSession(sessionId: string): Promise<void> {
    const handle = sessionHandle(sessionId);
    const record = await storeCall(() => this.store.take<SessionRecord>(handleKey(handle)));
    if (record) await this.directory.unregister(handle, record);
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
