/**
 * A small browser-like cookie jar for tests that drive login flows over plain HTTP. It keeps the
 * rules that matter for session security so that tests fail when a real browser would:
 * - cookies are scoped to an origin (stricter than browsers, which ignore the port) and a path;
 * - `Secure` cookies are accepted only over https or on loopback hosts (as browsers do);
 * - `__Host-` cookies need Secure, Path=/ and no Domain, `__Secure-` cookies need Secure;
 * - SameSite: Strict cookies are sent only on same-site requests, Lax ones also on cross-site
 *   top-level GET navigations, a missing attribute counts as Lax. "Same site" is "same origin"
 *   here, so a test stack on 127.0.0.1 behaves like an IdP and a BFF on different sites.
 */

export type SameSite = 'Strict' | 'Lax' | 'None';

export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: SameSite | undefined;
  readonly domain: string | undefined;
  /** Epoch ms, or undefined for a session cookie. */
  readonly expiresAt: number | undefined;
  /** The Set-Cookie line it came from (to assert attributes). */
  readonly setCookie: string;
}

export interface RequestSite {
  /** Whether the request is cross-site for cookie purposes. Default false. */
  readonly crossSite?: boolean;
  /** Whether the request is a top-level navigation (a link, a redirect, a form submission). Default true. */
  readonly topLevel?: boolean;
  /** Default GET. */
  readonly method?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isTrustworthy(url: URL): boolean {
  return url.protocol === 'https:' || LOOPBACK.has(url.hostname);
}

function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/';
  return path.slice(0, path.lastIndexOf('/'));
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** Parses one Set-Cookie line; undefined when malformed. */
export function parseSetCookie(line: string, url: URL, now: number = Date.now()): StoredCookie | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let path: string | undefined;
  let secure = false;
  let httpOnly = false;
  let sameSite: SameSite | undefined;
  let domain: string | undefined;
  let expiresAt: number | undefined;
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attribute.slice(i + 1).trim();
    if (key === 'path' && val.startsWith('/')) path = val;
    else if (key === 'secure') secure = true;
    else if (key === 'httponly') httpOnly = true;
    else if (key === 'domain' && val) domain = val.replace(/^\./, '').toLowerCase();
    else if (key === 'samesite') {
      const v = val.toLowerCase();
      sameSite = v === 'strict' ? 'Strict' : v === 'none' ? 'None' : 'Lax';
    } else if (key === 'max-age' && /^-?\d+$/.test(val)) {
      maxAgeSeen = true;
      expiresAt = now + Number(val) * 1000;
    } else if (key === 'expires' && !maxAgeSeen) {
      const at = Date.parse(val);
      if (!Number.isNaN(at)) expiresAt = at;
    }
  }
  return { name, value, path: path ?? defaultPath(url), secure, httpOnly, sameSite, domain, expiresAt, setCookie: line };
}

export class CookieJar {
  readonly #byOrigin = new Map<string, StoredCookie[]>();
  /** Set-Cookie lines the jar refused, with the reason (a test can assert there are none). */
  readonly rejected: { origin: string; setCookie: string; reason: string }[] = [];

  /** Stores every Set-Cookie of `response`, received from `url`. */
  store(url: URL | string, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.storeLine(url, line);
  }

  storeLine(url: URL | string, line: string, now: number = Date.now()): void {
    const target = new URL(url);
    const cookie = parseSetCookie(line, target, now);
    const reject = (reason: string): void => {
      this.rejected.push({ origin: target.origin, setCookie: line, reason });
    };
    if (!cookie) return reject('malformed');
    if (cookie.secure && !isTrustworthy(target)) return reject('Secure cookie over an insecure connection');
    if (cookie.sameSite === 'None' && !cookie.secure) return reject('SameSite=None without Secure');
    if (cookie.name.startsWith('__Host-') && (!cookie.secure || cookie.path !== '/' || cookie.domain !== undefined)) {
      return reject('__Host- cookie without Secure, Path=/ or with Domain');
    }
    if (cookie.name.startsWith('__Secure-') && !cookie.secure) return reject('__Secure- cookie without Secure');
    const list = (this.#byOrigin.get(target.origin) ?? []).filter((c) => !(c.name === cookie.name && c.path === cookie.path));
    if (cookie.expiresAt === undefined || cookie.expiresAt > now) list.push(cookie);
    this.#byOrigin.set(target.origin, list);
  }

  /** The cookies a browser would send to `url`. */
  cookiesFor(url: URL | string, site: RequestSite = {}, now: number = Date.now()): StoredCookie[] {
    const target = new URL(url);
    const crossSite = site.crossSite ?? false;
    const topLevelGet = (site.topLevel ?? true) && (site.method ?? 'GET').toUpperCase() === 'GET';
    return (this.#byOrigin.get(target.origin) ?? [])
      .filter((c) => c.expiresAt === undefined || c.expiresAt > now)
      .filter((c) => pathMatches(target.pathname, c.path))
      .filter((c) => !c.secure || isTrustworthy(target))
      .filter((c) => {
        if (!crossSite) return true;
        const mode = c.sameSite ?? 'Lax';
        return mode === 'None' || (mode === 'Lax' && topLevelGet);
      })
      .sort((a, b) => b.path.length - a.path.length);
  }

  /** The Cookie header for `url`, or undefined when no cookie applies. */
  header(url: URL | string, site: RequestSite = {}): string | undefined {
    const cookies = this.cookiesFor(url, site);
    return cookies.length ? cookies.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  /** The cookie `name` stored for the origin of `url` (any path). */
  get(url: URL | string, name: string): StoredCookie | undefined {
    const now = Date.now();
    return (this.#byOrigin.get(new URL(url).origin) ?? []).find((c) => c.name === name && (c.expiresAt === undefined || c.expiresAt > now));
  }

  /** Plants a cookie (e.g. an attacker-chosen session id, or a cookie copied to another instance). */
  set(url: URL | string, name: string, value: string, attributes = 'Path=/'): void {
    this.storeLine(url, `${name}=${value}; ${attributes}`);
  }

  delete(url: URL | string, name: string): void {
    const origin = new URL(url).origin;
    this.#byOrigin.set(
      origin,
      (this.#byOrigin.get(origin) ?? []).filter((c) => c.name !== name),
    );
  }

  clear(): void {
    this.#byOrigin.clear();
    this.rejected.length = 0;
  }
}
