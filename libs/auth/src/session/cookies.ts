import { DEV_LOGIN_COOKIE, DEV_SESSION_COOKIE, LOGIN_COOKIE, SESSION_COOKIE } from './session.constants.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Cookie values the BFF issues: base64url only, so anything else is not ours. */
const OPAQUE_VALUE = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * The value of cookie `name` in the request's Cookie header, when it looks like an id this BFF
 * issued. The first occurrence wins (a browser lists the most specific cookie first).
 */
export function readCookie(headers: Headers, name: string): string | undefined {
  const raw = headers.cookie;
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return OPAQUE_VALUE.test(value) ? value : undefined;
  }
  return undefined;
}

export interface CookieNames {
  readonly session: string;
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
   * The pending-login cookie is SameSite=Lax: it must come back on the top-level GET from the
   * provider to /auth/callback, a cross-site navigation that carries no Strict cookie.
   */
  login(id: string, maxAgeSeconds: number): string {
    return this.serialize(this.names.login, id, 'Lax', maxAgeSeconds);
  }

  clearLogin(): string {
    return this.serialize(this.names.login, '', 'Lax', 0);
  }
}
