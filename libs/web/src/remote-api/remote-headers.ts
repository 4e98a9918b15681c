import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and framing: never passed on, in either direction. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'http2-settings',
]);

/**
 * Browser headers that stay at the BFF: its credentials (the session cookie, any Authorization: the
 * upstream gets the token the upstream's declaration allows, from the session, or none), the CSRF
 * marker, and what only describes the browser's hop (the BFF adds its own request id and trace context).
 */
const REQUEST_DROPPED = new Set([
  'cookie',
  'authorization',
  'x-api-key',
  'x-csrf',
  'origin',
  'referer',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'x-request-id',
  'traceparent',
  'tracestate',
  'baggage',
  'expect',
]);

/**
 * Upstream headers that stay at the BFF: credentials and challenges (Set-Cookie would plant cookies on
 * the BFF's origin; WWW-Authenticate would open the browser's login dialog), the upstream's own URLs
 * (Location, Content-Location, Refresh), and the headers the BFF answers with itself (security policy,
 * CORS, request id, rate limits).
 */
const RESPONSE_DROPPED = new Set([
  'location',
  'content-location',
  'refresh',
  'set-cookie',
  'set-cookie2',
  'www-authenticate',
  'authorization',
  'content-security-policy',
  'content-security-policy-report-only',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'cross-origin-resource-policy',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'permissions-policy',
  'x-request-id',
  'x-request-deadline-ms',
  'ratelimit',
  'ratelimit-policy',
  'server',
  'x-powered-by',
  'alt-svc',
  'date',
]);

/** Names a `Connection` header lists: hop-by-hop for this exchange too. */
function connectionListed(value: string | string[] | undefined): Set<string> {
  const listed = new Set<string>();
  for (const line of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
    for (const name of line.split(',')) if (name.trim()) listed.add(name.trim().toLowerCase());
  }
  return listed;
}

const isDropped = (name: string, dropped: ReadonlySet<string>, listed: ReadonlySet<string>): boolean =>
  HOP_BY_HOP.has(name) || dropped.has(name) || listed.has(name) || name.startsWith('access-control-') || name.startsWith(':');

/** The browser's end-to-end headers to pass upstream (repeated ones joined as the field syntax allows). */
export function forwardedRequestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isDropped(name, REQUEST_DROPPED, listed)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The upstream's end-to-end headers to pass to the browser. */
export function forwardedResponseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (value === undefined || isDropped(name, RESPONSE_DROPPED, listed)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * Cache-Control of an answer that carried the user's token upstream: never storable by a shared cache
 * (a CDN in front of the BFF would otherwise serve one user's cart to another), whatever the upstream
 * said. `public` and `s-maxage` go, `private` is added; `no-store` stays as it is.
 */
export function privateCacheControl(value: string | string[] | undefined): string {
  const directives = (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^(?:public|private|s-maxage\s*=.*|proxy-revalidate)$/i.test(d));
  return ['private', ...directives].join(', ');
}
