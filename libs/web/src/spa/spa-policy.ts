/**
 * What SpaModule answers, as pure functions: the document policy of the app's HTML, the cache policy
 * of each built file, and which requests get index.html (client-side routes).
 */

/** Path prefixes that belong to the BFF itself: never answered with index.html, always the platform's 404 problem. */
export const RESERVED_PREFIXES: readonly string[] = ['/api', '/auth'];

/** A hashed build asset (Vite: `assets/index-BxY12ab3.js`): its name changes with its content. */
const HASHED_ASSET = /^assets\/(?:.+\/)?[^/]+[-.][A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+$/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

/**
 * Content-Security-Policy of the SPA's HTML: everything from this origin only (scripts, styles, XHR
 * to the BFF), images also as data: URLs and from the configured origins; no framing, no <base>
 * rewriting, forms post here only. API answers keep `default-src 'none'` (libs/core).
 */
export function spaContentSecurityPolicy(imgOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "connect-src 'self'",
    ["img-src 'self' data:", ...imgOrigins].join(' '),
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * Document headers of the SPA's HTML besides its CSP (helmet's document set). Also sent on its 304s:
 * a browser refreshes a cached document's headers from the 304, so these must match the 200's.
 */
export const SPA_DOCUMENT_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** Cache-Control of a built file, by its path relative to the build folder (`/` separators). */
export function cacheControlFor(relativePath: string): string {
  return HASHED_ASSET.test(relativePath) ? IMMUTABLE : REVALIDATE;
}

export function isReserved(pathname: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/**
 * Whether an unmatched request is a navigation to a client-side route: a GET/HEAD asking for HTML,
 * outside the BFF's own prefixes, whose last segment is not a file name (a missing `/x.js` stays 404).
 */
export function isClientRoute(method: string, url: string, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (!accept || !/\btext\/html\b/i.test(accept)) return false;
  const pathname = url.split('?', 1)[0] ?? '/';
  if (isReserved(pathname.toLowerCase())) return false;
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !last.includes('.');
}
