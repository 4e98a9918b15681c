import type { CoreEnv } from '@bff/core';

import { CookiePolicy } from './cookies.js';
import { safeReturnTo } from './return-to.js';
import type { SessionAuthEnv } from './session.env.js';
import type { SessionAuthModuleOptions } from './session.module-definition.js';

const DEFAULT_SCOPES = ['openid', 'profile', 'email'];
const DEFAULT_USER_CLAIMS = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'locale'];

/** The session settings of one app, derived once from its env slice and module options. */
export class SessionConfig {
  readonly cookies: CookiePolicy;
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly refreshSkewMs: number;
  readonly loginTtlMs: number;
  /** A session's last use is written at most this often (idle timeout precision). */
  readonly touchIntervalMs: number;
  /** Refresh lease: longer than one provider call, so a live holder never loses it. */
  readonly refreshLeaseMs: number;
  /** How long a request waits for another instance's refresh before giving up with 503. */
  readonly refreshWaitMs: number;
  readonly refreshPollMs = 50;
  readonly scopes: readonly string[];
  readonly userClaims: readonly string[];
  readonly defaultReturnTo: string;
  readonly redirectUri: string;
  /** Origins whose requests may use the session: the CORS allowlist and the BFF's own public origin. */
  readonly allowedOrigins: ReadonlySet<string>;
  /** Origins other than this site's that a post-login returnTo may name (SESSION_RETURN_ORIGINS, e.g. a dev server). */
  readonly returnOrigins: ReadonlySet<string>;
  /** Key prefix in the shared store. */
  readonly keyPrefix: string;

  constructor(
    readonly env: SessionAuthEnv,
    core: CoreEnv,
    appName: string,
    options: SessionAuthModuleOptions,
  ) {
    this.cookies = new CookiePolicy(env.SESSION_COOKIE_DEV_MODE);
    this.idleMs = env.SESSION_IDLE_TIMEOUT_SECONDS * 1000;
    this.absoluteMs = env.SESSION_ABSOLUTE_TIMEOUT_SECONDS * 1000;
    this.refreshSkewMs = env.SESSION_REFRESH_SKEW_SECONDS * 1000;
    this.loginTtlMs = env.SESSION_LOGIN_TIMEOUT_SECONDS * 1000;
    this.touchIntervalMs = Math.min(60_000, Math.floor(this.idleMs / 10));
    this.refreshLeaseMs = env.OIDC_TIMEOUT_MS + 5_000;
    this.refreshWaitMs = this.refreshLeaseMs + 1_000;
    this.scopes = options.scopes ?? DEFAULT_SCOPES;
    if (!this.scopes.includes('openid')) throw new Error("SessionAuthModule: scopes must include 'openid'");
    this.userClaims = options.userClaims ?? DEFAULT_USER_CLAIMS;
    const defaultReturnTo = safeReturnTo(options.defaultReturnTo ?? '/');
    if (!defaultReturnTo) throw new Error('SessionAuthModule: defaultReturnTo must be a same-origin path such as /');
    this.defaultReturnTo = defaultReturnTo;
    this.redirectUri = env.OIDC_REDIRECT_URI;
    this.allowedOrigins = new Set([...core.CORS_ORIGINS, new URL(env.OIDC_REDIRECT_URI).origin]);
    this.returnOrigins = new Set(env.SESSION_RETURN_ORIGINS.map((origin) => new URL(origin).origin));
    this.keyPrefix = env.SESSION_REDIS_PREFIX ?? `bff:${appName}:session:`;
  }
}
