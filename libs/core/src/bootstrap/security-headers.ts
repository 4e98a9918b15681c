import type { INestApplication, SecurityHeadersOptions } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers of every response (JSON, problem+json, 304, redirects, 404s, CSRF refusals): the
 * set the OWASP REST Security Cheat Sheet asks of an API. A JSON response is never rendered as a
 * document, so it gets no script, style or image sources (`default-src 'none'`), may not be framed,
 * is not MIME-sniffed, may only be read same-site by no-cors requests (CORP), sends no referrer
 * (this matters on redirects: the login callback's URL carries the authorization code) and tells
 * browsers to stay on HTTPS.
 *
 * helmet's document-only headers are left out here: Cross-Origin-Opener-Policy, Origin-Agent-Cluster,
 * X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-Policies and X-XSS-Protection
 * only act on a browsing context (an HTML page); HTML responses get them (DOCUMENT_HEADERS).
 */
export const API_SECURITY_HEADERS: SecurityHeadersOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-site' },
  originAgentCluster: false,
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: true,
  xContentTypeOptions: true,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xPoweredBy: true,
  xXssProtection: false,
};

/**
 * The header values `app.useSecurityHeaders(API_SECURITY_HEADERS)` sends, for the answers Nest's
 * security hook never sees: framework errors answered outside any route and problems written
 * straight on the socket (see edges.ts). test/edges.e2e-spec.ts checks they match what routes send.
 */
export const API_SECURITY_HEADER_VALUES: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * What an HTML document (Swagger UI at /docs) gets instead of, or on top of, the API set: helmet 8's
 * document headers, with a policy that lets Swagger UI run (its scripts and styles come from the app
 * itself; inline styles; data: images).
 */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;" +
    "object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';upgrade-insecure-requests",
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/**
 * The API set on every response, through Nest's `app.useSecurityHeaders()` (validated there, at boot),
 * and the document set on responses sent as `text/html`, from an `onSend` hook. A route can still set
 * any of these headers itself (`@Header()`, or the reply).
 */
export function installSecurityHeaders(app: INestApplication, fastify: FastifyInstance): void {
  app.useSecurityHeaders(API_SECURITY_HEADERS);
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html'))
      for (const name in DOCUMENT_HEADERS) void reply.header(name, DOCUMENT_HEADERS[name]);
    done(null, payload);
  });
}
