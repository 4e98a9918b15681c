import { DEV_LOGIN_COOKIE, DEV_SESSION_COOKIE, LOGIN_COOKIE, SESSION_COOKIE } from './session.constants.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Cookie values the BFF issues: base64url only, so anything else is not ours. */
const OPAQUE_VALUE = /^[A-Za-z0-9_-]{32,128}$/;
/** Sealed login states: base64url, bounded (a same-origin returnTo is at most 1024 characters). */
const SEALED_VALUE = /^[A-Za-z0-9_-]{40,4096}$/;
const LOGIN_SUFFIX = /^[A-Za-z0-9_-]{12}$/;

/** Cookie pairs of the request's Cookie header, in order. */
function cookiePairs(headers: Headers): Array<{ name: string; value: string }> {
  const raw = headers.cookie;
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  if (!header) return [];
  const pairs: Array<{ name: string; value: string }> = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0) pairs.push({ name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() });
  }
  return pairs;
}

/**
 * The value of cookie `name` in the request's Cookie header, when it looks like an id this BFF
 * issued. The first occurrence wins (a browser lists the most specific cookie first).
 */
export function readCookie(headers: Headers, name: string): string | undefined {
  const pair = cookiePairs(headers).find((candidate) => candidate.name === name);
  return pair && OPAQUE_VALUE.test(pair.value) ? pair.value : undefined;
}

/** A login cookie of the request: `<login prefix>-<suffix>` holding a sealed login state. */
export interface LoginCookie {
  readonly suffix: string;
  readonly value: string;
}

/**
 * The request's login cookies (one per login in progress), first occurrence of each name only.
 * Values that cannot be a sealed login state are skipped; whether one opens is the sealer's call.
 */
export function readLoginCookies(headers: Headers, loginPrefix: string): LoginCookie[] {
  const found = new Map<string, string>();
  for (const { name, value } of cookiePairs(headers)) {
    if (!name.startsWith(`${loginPrefix}-`)) continue;
    const suffix = name.slice(loginPrefix.length + 1);
    if (LOGIN_SUFFIX.test(suffix) && !found.has(suffix) && SEALED_VALUE.test(value)) found.set(suffix, value);
  }
  return [...found].map(([suffix, value]) => ({ suffix, value }));
}

export interface CookieNames {
  readonly session: string;
  /** Prefix of the login cookies: each pending login has its own, `<login>-<suffix>`. */
  readonly login: string;
}

/**
 * How the BFF's cookies are written. Production: `__Host-` prefix, Secure, HttpOnly, Path=/, no
 * Domain. Dev mode (localhost over http only): no Secure, hence no prefix.
 */
export class CookiePolicy {
  readonly names: CookieNames;

  constructor(private readonly devMode: boolean) {
    this.names = devMode ? { session: DEV_SESSION_COOKIE, login: DEV_LOGIN_COOKIE } : { session: SESSION_COOKIE, login: LOGIN_COOKIE };
  }

  private serialize(name: string, value: string, sameSite: 'Strict' | 'Lax', maxAgeSeconds: number): string {
    return `${name}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly${this.devMode ? '' : '; Secure'}; SameSite=${sameSite}`;
  }

  /**
   * The session cookie is SameSite=Strict: it is set by the callback response itself, so it never
   * needs to survive the cross-site redirect back from the provider; afterwards the SPA's own
   * requests are same-site and carry it.
   */
  session(id: string, maxAgeSeconds: number): string {
    return this.serialize(this.names.session, id, 'Strict', maxAgeSeconds);
  }

  clearSession(): string {
    return this.serialize(this.names.session, '', 'Strict', 0);
  }

  /**
   * A pending-login cookie (sealed login state) is SameSite=Lax: it must come back on the
   * top-level GET from the provider to /auth/callback, a cross-site navigation that carries no
   * Strict cookie.
   */
  login(suffix: string, sealed: string, maxAgeSeconds: number): string {
    return this.serialize(`${this.names.login}-${suffix}`, sealed, 'Lax', maxAgeSeconds);
  }

  clearLogin(suffix: string): string {
    return this.serialize(`${this.names.login}-${suffix}`, '', 'Lax', 0);
  }
}
