import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';
import { isPlatformError, PlatformError, RequestContext, type Identity } from '@bff/core';
import { readCookie } from './cookies.js';
import { OidcClient, OidcRejectedError, OidcUnavailableError, type TokenResult } from './oidc-client.js';
import { safeReturnTo } from './return-to.js';
import { SessionConfig } from './session.config.js';
import { SESSION_STORE, SESSION_STRATEGY } from './session.constants.js';
import type { SessionStore } from './session.store.js';
import type { PendingLogin, SessionRecord } from './session.types.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

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

export interface ResolvedSession {
  readonly identity: Identity;
  readonly accessToken: string;
}

/** The signed-in user as the SPA sees it (no token, ever). */
export interface SessionUser {
  readonly sub: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly name?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly locale?: string;
  readonly scopes: readonly string[];
}

/** 256-bit random, base64url: session ids, login ids. */
const newId = (): string => randomBytes(32).toString('base64url');
/** Store keys hold a digest of the id, so a store dump holds no usable cookie value. */
const digest = (id: string): string => createHash('sha256').update(id).digest('base64url');
const sessionKey = (sid: string): string => `s:${digest(sid)}`;
const loginKey = (loginId: string): string => `l:${digest(loginId)}`;

function sameString(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

const SESSION_ENDED_DETAIL = 'Your session has ended. Sign in again.';

/** What a refresh changes in a session record. */
type RefreshedFields = Pick<SessionRecord, 'accessToken' | 'accessTokenExpiresAt' | 'tokensObtainedAt' | 'scopes' | 'absoluteExpiresAt'> &
  Partial<Pick<SessionRecord, 'refreshToken' | 'refreshTokenExpiresAt' | 'claims'>>;

/**
 * The web BFF's token handler: logs users in with the authorization code flow (PKCE, state,
 * nonce), keeps their tokens server-side in a session addressed by an opaque cookie, refreshes the
 * access token before it expires (once per session across all instances), and ends sessions on
 * logout, timeouts and refused refreshes.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger('SessionService');
  /** Refreshes in flight in this instance, per session key: concurrent requests share one. */
  private readonly refreshing = new Map<string, Promise<SessionRecord>>();

  constructor(
    private readonly config: SessionConfig,
    private readonly oidc: OidcClient,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  // ---- login -----------------------------------------------------------------------------

  /**
   * Starts a login: the provider's authorization URL to redirect to, and the Lax login cookie that
   * binds state, nonce and PKCE verifier (kept server-side) to this browser. A session this
   * browser already has is ended first: a login always yields a new session id.
   */
  async beginLogin(returnTo: string | undefined, headers: Headers): Promise<AuthRedirect> {
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
    const url = await this.provider(() => this.oidc.authorizationUrl(pending));

    const cookies: string[] = [];
    const previous = readCookie(headers, this.config.cookies.names.session);
    if (previous) {
      await this.destroy(previous);
      cookies.push(this.config.cookies.clearSession());
    }
    const loginId = newId();
    await this.storeCall(() => this.store.create(loginKey(loginId), pending, this.config.loginTtlMs));
    cookies.push(this.config.cookies.login(loginId, this.config.loginTtlMs / 1000));
    return { location: url.href, cookies };
  }

  /**
   * Completes a login on the provider's redirect: the login cookie must name a pending login
   * (used once), whose state matches; the code is redeemed with the PKCE verifier and the ID
   * token validated (iss, aud, signature, nonce). A brand-new session id is issued.
   * The login cookie is cleared whatever happens.
   */
  async completeLogin(query: string, headers: Headers): Promise<AuthRedirect> {
    RequestContext.setResponseHeader('set-cookie', this.config.cookies.clearLogin());
    const loginId = readCookie(headers, this.config.cookies.names.login);
    if (!loginId) throw loginProblem('LOGIN_STATE_MISSING', 'No login cookie on the callback');
    const pending = await this.storeCall(() => this.store.take<PendingLogin>(loginKey(loginId)));
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
      throw this.loginFailure(error);
    }
    const claims = tokens.idTokenClaims;
    if (!claims || typeof claims.sub !== 'string') throw loginProblem('LOGIN_FAILED', 'No ID token subject');

    const now = Date.now();
    const record = this.newRecord(tokens, claims, now);
    const sid = newId();
    await this.storeCall(() => this.store.create(sessionKey(sid), record, this.ttl(record, now)));
    this.logger.log({ sub: record.sub, store: this.store.kind }, 'Session created');
    return { location: pending.returnTo, cookies: [this.config.cookies.session(sid, (record.absoluteExpiresAt - now) / 1000)] };
  }

  // ---- logout ----------------------------------------------------------------------------

  /**
   * Ends this browser's session (if any): deleted from the store, refresh token revoked at the
   * provider (which ends the grant), cookie cleared. Idempotent. Returns the provider's logout URL
   * for the SPA to navigate to, so the provider session ends too.
   */
  async logout(headers: Headers): Promise<LogoutResult> {
    const sid = readCookie(headers, this.config.cookies.names.session);
    if (sid) await this.destroy(sid);
    let endSessionUrl: string | undefined;
    try {
      endSessionUrl = await this.oidc.endSessionUrl();
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'Provider logout URL unavailable; the local session is ended anyway');
    }
    return { endSessionUrl: endSessionUrl ?? null, cookies: [this.config.cookies.clearSession()] };
  }

  private async destroy(sid: string): Promise<void> {
    const record = await this.storeCall(() => this.store.take<SessionRecord>(sessionKey(sid)));
    if (!record?.refreshToken) return;
    try {
      await this.oidc.revoke(record.refreshToken);
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'Refresh token revocation failed; the session is ended locally');
    }
  }

  // ---- per request -----------------------------------------------------------------------

  /**
   * The session of this request's cookie, with a valid access token (refreshed when it is about
   * to expire). Throws 401 SESSION_REQUIRED / SESSION_EXPIRED (clearing the cookie) or 503.
   */
  async resolve(headers: Headers): Promise<ResolvedSession> {
    try {
      return await this.resolveOrThrow(headers);
    } catch (error) {
      if (isPlatformError(error) && error.code === 'SESSION_EXPIRED') {
        RequestContext.setResponseHeader('set-cookie', this.config.cookies.clearSession());
      }
      throw error;
    }
  }

  private async resolveOrThrow(headers: Headers): Promise<ResolvedSession> {
    const sid = readCookie(headers, this.config.cookies.names.session);
    if (!sid) {
      throw new PlatformError('unauthorized', 'SESSION_REQUIRED', 'No session cookie', { publicDetail: 'Sign in to use this resource.' });
    }
    const key = sessionKey(sid);
    let record = await this.storeCall(() => this.store.get<SessionRecord>(key));
    if (!record) throw ended('unknown or expired session');
    let now = Date.now();
    if (now >= record.absoluteExpiresAt || now - record.lastSeenAt >= this.config.idleMs) {
      await this.storeCall(() => this.store.delete(key));
      throw ended(now >= record.absoluteExpiresAt ? 'absolute timeout' : 'idle timeout');
    }
    // Without a refresh token the session ends with its access token (absoluteExpiresAt is capped to it).
    if (record.refreshToken && this.needsRefresh(record, now)) {
      record = await this.refreshOnce(key, record);
      now = Date.now();
    }
    if (now - record.lastSeenAt >= this.config.touchIntervalMs) {
      const touched = await this.storeCall(() => this.store.update(key, { lastSeenAt: now }, this.ttl(record, now)));
      if (!touched) throw ended('session deleted concurrently');
    }
    return {
      identity: { strategy: SESSION_STRATEGY, subject: record.sub, scopes: record.scopes, claims: record.claims },
      accessToken: record.accessToken,
    };
  }

  /** The SPA's view of the signed-in user. */
  userOf(identity: Identity): SessionUser {
    const c = identity.claims;
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      sub: identity.subject,
      email: str(c.email),
      emailVerified: typeof c.email_verified === 'boolean' ? c.email_verified : undefined,
      name: str(c.name),
      givenName: str(c.given_name),
      familyName: str(c.family_name),
      locale: str(c.locale),
      scopes: identity.scopes,
    };
  }

  // ---- refresh ---------------------------------------------------------------------------

  /** Refresh when the access token is within the skew of its end (at most half its lifetime, so a short-lived token is not refreshed on every request). */
  private needsRefresh(record: SessionRecord, now: number): boolean {
    const lifetime = record.accessTokenExpiresAt - record.tokensObtainedAt;
    const skew = Math.min(this.config.refreshSkewMs, Math.max(0, lifetime / 2));
    return now >= record.accessTokenExpiresAt - skew;
  }

  /** One refresh per session in this instance; the lease makes it one across instances. */
  private refreshOnce(key: string, stale: SessionRecord): Promise<SessionRecord> {
    let inflight = this.refreshing.get(key);
    if (!inflight) {
      inflight = this.refreshAcrossInstances(key, stale).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, inflight);
    }
    return inflight;
  }

  /**
   * Takes the session's refresh lease and refreshes, after re-reading the session (another
   * instance may just have done it). Without the lease, the request goes on with its access token
   * if it is still valid, else waits for the holder's result by re-reading the session.
   */
  private async refreshAcrossInstances(key: string, stale: SessionRecord): Promise<SessionRecord> {
    const leaseKey = `${key}:refresh`;
    const deadline = Date.now() + this.config.refreshWaitMs;
    for (;;) {
      const lease = await this.storeCall(() => this.store.acquireLease(leaseKey, this.config.refreshLeaseMs));
      if (lease) {
        try {
          const current = await this.storeCall(() => this.store.get<SessionRecord>(key));
          if (!current) throw ended('session deleted during refresh');
          if (!this.needsRefresh(current, Date.now())) return current;
          return await this.refreshNow(key, current);
        } finally {
          await this.store
            .releaseLease(leaseKey, lease)
            .catch((error: unknown) =>
              this.logger.warn({ err: errorMessage(error) }, 'Could not release the refresh lease; it expires by itself'),
            );
        }
      }
      if (stale.accessTokenExpiresAt > Date.now() + 1_000) return stale;
      if (Date.now() >= deadline) {
        throw new PlatformError('unavailable', 'SESSION_REFRESH_TIMEOUT', 'Timed out waiting for another instance to refresh the session', {
          publicDetail: 'Your session could not be renewed right now. Retry shortly.',
          retryAfterSeconds: 1,
        });
      }
      await sleep(this.config.refreshPollMs);
      const current = await this.storeCall(() => this.store.get<SessionRecord>(key));
      if (!current) throw ended('session ended by another instance');
      if (!this.needsRefresh(current, Date.now())) return current;
    }
  }

  private async refreshNow(key: string, current: SessionRecord): Promise<SessionRecord> {
    if (!current.refreshToken) {
      await this.storeCall(() => this.store.delete(key));
      throw ended('access token expired and there is no refresh token');
    }
    let tokens: TokenResult;
    try {
      tokens = await this.oidc.refresh(current.refreshToken);
    } catch (error) {
      if (error instanceof OidcRejectedError) {
        await this.storeCall(() => this.store.delete(key));
        this.logger.log({ sub: current.sub, reason: error.error }, 'Refresh refused by the provider; session ended');
        throw ended(`refresh refused (${error.error})`);
      }
      throw providerUnavailable(error);
    }
    if (tokens.idTokenClaims && tokens.idTokenClaims.sub !== current.sub) {
      await this.storeCall(() => this.store.delete(key));
      throw ended('refreshed ID token names another subject');
    }
    const now = Date.now();
    const update = this.refreshedFields(current, tokens, now);
    const next: SessionRecord = { ...current, ...update };
    const stored = await this.storeCall(() => this.store.update(key, update, this.ttl(next, now)));
    if (!stored) {
      // Logged out while we refreshed: the new refresh token must not outlive the session.
      if (tokens.refreshToken) await this.oidc.revoke(tokens.refreshToken).catch(() => undefined);
      throw ended('session deleted during refresh');
    }
    return next;
  }

  private refreshedFields(current: SessionRecord, tokens: TokenResult, now: number): RefreshedFields {
    const accessTokenExpiresAt = now + this.lifetimeMs(tokens, now);
    const refreshToken = tokens.refreshToken ?? current.refreshToken;
    const refreshTokenExpiresAt = tokens.refreshExpiresIn ? now + tokens.refreshExpiresIn * 1000 : current.refreshTokenExpiresAt;
    return {
      accessToken: tokens.accessToken,
      accessTokenExpiresAt,
      tokensObtainedAt: now,
      scopes: this.scopesOf(tokens),
      absoluteExpiresAt: this.capAbsolute(current.absoluteExpiresAt, refreshToken, refreshTokenExpiresAt, accessTokenExpiresAt),
      ...(refreshToken !== undefined ? { refreshToken } : {}),
      ...(refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt } : {}),
      ...(tokens.idTokenClaims ? { claims: this.pickClaims(tokens.idTokenClaims) } : {}),
    };
  }

  // ---- helpers ---------------------------------------------------------------------------

  private newRecord(tokens: TokenResult, claims: Readonly<Record<string, unknown>>, now: number): SessionRecord {
    const accessTokenExpiresAt = now + this.lifetimeMs(tokens, now);
    const refreshTokenExpiresAt = tokens.refreshExpiresIn ? now + tokens.refreshExpiresIn * 1000 : undefined;
    return {
      sub: claims.sub as string,
      claims: this.pickClaims(claims),
      scopes: this.scopesOf(tokens),
      accessToken: tokens.accessToken,
      accessTokenExpiresAt,
      tokensObtainedAt: now,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt } : {}),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: this.capAbsolute(now + this.config.absoluteMs, tokens.refreshToken, refreshTokenExpiresAt, accessTokenExpiresAt),
    };
  }

  /** A session never outlives what can renew it: the refresh token, or the access token when there is none. */
  private capAbsolute(
    absolute: number,
    refreshToken: string | undefined,
    refreshTokenExpiresAt: number | undefined,
    accessTokenExpiresAt: number,
  ): number {
    if (!refreshToken) return Math.min(absolute, accessTokenExpiresAt);
    return refreshTokenExpiresAt === undefined ? absolute : Math.min(absolute, refreshTokenExpiresAt);
  }

  /** expires_in, else the JWT's exp, else a conservative minute. */
  private lifetimeMs(tokens: TokenResult, now: number): number {
    if (tokens.expiresIn !== undefined && tokens.expiresIn > 0) return tokens.expiresIn * 1000;
    try {
      const { exp } = decodeJwt(tokens.accessToken);
      if (typeof exp === 'number' && exp * 1000 > now) return exp * 1000 - now;
    } catch {
      // opaque access token
    }
    return 60_000;
  }

  private scopesOf(tokens: TokenResult): string[] {
    if (tokens.scope !== undefined) return tokens.scope.split(' ').filter(Boolean);
    try {
      const { scope } = decodeJwt(tokens.accessToken);
      if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
    } catch {
      // opaque access token
    }
    return [...this.config.scopes];
  }

  private pickClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(this.config.userClaims.filter((name) => claims[name] !== undefined).map((name) => [name, claims[name]]));
  }

  /** Store TTL: until the idle timeout, never past the absolute one. */
  private ttl(record: SessionRecord, now: number): number {
    return Math.max(1_000, Math.min(record.absoluteExpiresAt - now, this.config.idleMs));
  }

  private loginFailure(error: unknown): PlatformError {
    if (error instanceof OidcUnavailableError) return providerUnavailable(error);
    const reason = error instanceof OidcRejectedError && /^[a-z_]{1,64}$/.test(error.error) ? error.error : 'invalid_response';
    return loginProblem('LOGIN_FAILED', error instanceof Error ? error.message : String(error), { reason }, error);
  }

  private async provider<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw providerUnavailable(error);
    }
  }

  /** Store failures are a 503, never "no session". */
  private async storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new PlatformError('unavailable', 'SESSION_STORE_UNAVAILABLE', `Session store failed: ${errorMessage(error)}`, {
        publicDetail: 'Sessions are unavailable right now. Retry shortly.',
        retryAfterSeconds: 2,
        cause: error,
      });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function ended(reason: string): PlatformError {
  return new PlatformError('unauthorized', 'SESSION_EXPIRED', `Session ended: ${reason}`, {
    publicDetail: SESSION_ENDED_DETAIL,
    context: { reason },
  });
}

function providerUnavailable(error: unknown): PlatformError {
  return new PlatformError('unavailable', 'AUTH_PROVIDER_UNAVAILABLE', `Identity provider unavailable: ${errorMessage(error)}`, {
    publicDetail: 'Sign-in is unavailable right now. Retry shortly.',
    retryAfterSeconds: 5,
    cause: error,
  });
}

function loginProblem(code: string, message: string, extensions?: Record<string, unknown>, cause?: unknown): PlatformError {
  return new PlatformError('bad_request', code, message, {
    publicDetail: 'The sign-in could not be completed. Start it again.',
    extensions,
    cause,
  });
}
