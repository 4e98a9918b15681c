import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';

import { isPlatformError, PlatformError, RequestContext, type Identity } from '@bff/core';

import { AuthMetrics } from '../auth.metrics.js';
import { readCookie } from './cookies.js';
import { OidcClient, OidcRejectedError, type TokenResult } from './oidc-client.js';
import { errorMessage, providerUnavailable, sessionEnded, storeCall } from './session-errors.js';
import { needsRefresh, refreshedFields, sessionIdentity, sessionKey, storeTtl } from './session-record.js';
import { SessionConfig } from './session.config.js';
import { SESSION_STORE } from './session.constants.js';
import type { SessionStore } from './session.store.js';
import type { RequestHeaders, SessionRecord } from './session.types.js';

export interface ResolvedSession {
  readonly identity: Identity;
  readonly accessToken: string;
}

/**
 * Turns a request's session cookie into a live session: enforces the idle and absolute timeouts,
 * records the last use, and refreshes the access token before it expires, once per session across
 * all instances (a lease in the session store). Ends the session when the provider refuses the
 * refresh.
 */
@Injectable()
export class SessionResolver {
  private readonly logger = new Logger('SessionResolver');
  /** Refreshes in flight in this instance, per session key: concurrent requests share one. */
  private readonly refreshing = new Map<string, Promise<SessionRecord>>();

  constructor(
    private readonly config: SessionConfig,
    private readonly oidc: OidcClient,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Optional() private readonly metrics?: AuthMetrics,
  ) {}

  /**
   * The session of this request's cookie, with a valid access token (refreshed when it is about
   * to expire). Throws 401 SESSION_REQUIRED / SESSION_EXPIRED (clearing the cookie) or 503.
   */
  async resolve(headers: RequestHeaders): Promise<ResolvedSession> {
    try {
      return await this.resolveOrThrow(headers);
    } catch (error) {
      if (isPlatformError(error) && error.code === 'SESSION_EXPIRED') {
        RequestContext.setResponseHeader('set-cookie', this.config.cookies.clearSession());
      }
      throw error;
    }
  }

  private async resolveOrThrow(headers: RequestHeaders): Promise<ResolvedSession> {
    const sessionId = readCookie(headers, this.config.cookies.names.session);
    if (!sessionId) {
      throw new PlatformError('unauthorized', 'SESSION_REQUIRED', 'No session cookie', { publicDetail: 'Sign in to use this resource.' });
    }
    const key = sessionKey(sessionId);
    let record = await storeCall(() => this.store.get<SessionRecord>(key));
    if (!record) throw sessionEnded('unknown or expired session');
    let now = Date.now();
    if (now >= record.absoluteExpiresAt || now - record.lastSeenAt >= this.config.idleMs) {
      await storeCall(() => this.store.delete(key));
      throw sessionEnded(now >= record.absoluteExpiresAt ? 'absolute timeout' : 'idle timeout');
    }
    // Without a refresh token the session ends with its access token (absoluteExpiresAt is capped to it).
    if (record.refreshToken && this.needsRefresh(record, now)) {
      record = await this.refreshOnce(key, record);
      now = Date.now();
    }
    if (now - record.lastSeenAt >= this.config.touchIntervalMs) {
      const touched = await storeCall(() => this.store.update(key, { lastSeenAt: now }, storeTtl(record, now, this.config.idleMs)));
      if (!touched) throw sessionEnded('session deleted concurrently');
    }
    return { identity: sessionIdentity(record), accessToken: record.accessToken };
  }

  private needsRefresh(record: SessionRecord, now: number): boolean {
    return needsRefresh(record, now, this.config.refreshSkewMs);
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
      const lease = await storeCall(() => this.store.acquireLease(leaseKey, this.config.refreshLeaseMs));
      if (lease) {
        try {
          const current = await storeCall(() => this.store.get<SessionRecord>(key));
          if (!current) throw sessionEnded('session deleted during refresh');
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
      const current = await storeCall(() => this.store.get<SessionRecord>(key));
      if (!current) throw sessionEnded('session ended by another instance');
      if (!this.needsRefresh(current, Date.now())) return current;
    }
  }

  private async refreshNow(key: string, current: SessionRecord): Promise<SessionRecord> {
    if (!current.refreshToken) {
      await storeCall(() => this.store.delete(key));
      throw sessionEnded('access token expired and there is no refresh token');
    }
    let tokens: TokenResult;
    try {
      tokens = await this.oidc.refresh(current.refreshToken);
    } catch (error) {
      if (error instanceof OidcRejectedError) {
        this.metrics?.sessionRefreshed('refused');
        await storeCall(() => this.store.delete(key));
        this.logger.log({ sub: current.sub, reason: error.error }, 'Refresh refused by the provider; session ended');
        throw sessionEnded(`refresh refused (${error.error})`);
      }
      this.metrics?.sessionRefreshed('failed');
      throw providerUnavailable(error);
    }
    this.metrics?.sessionRefreshed('ok');
    if (tokens.idTokenClaims && tokens.idTokenClaims.sub !== current.sub) {
      await storeCall(() => this.store.delete(key));
      throw sessionEnded('refreshed ID token names another subject');
    }
    const now = Date.now();
    const update = refreshedFields(current, tokens, now, this.config);
    const next: SessionRecord = { ...current, ...update };
    const stored = await storeCall(() => this.store.update(key, update, storeTtl(next, now, this.config.idleMs)));
    if (!stored) {
      // Logged out while we refreshed: the new refresh token must not outlive the session.
      if (tokens.refreshToken) await this.oidc.revoke(tokens.refreshToken).catch(() => undefined);
      throw sessionEnded('session deleted during refresh');
    }
    return next;
  }
}
