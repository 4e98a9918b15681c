import type { SecurityHeadersOptions } from '@nestjs/common';
import { resolveSecurityHeaders } from '@nestjs/core/security/security-headers.js';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers of every response (JSON, problem+json, 304, redirects, 404s, CSRF refusals): the
 * set the OWASP REST Security Cheat Sheet asks of an API. A JSON response is never rendered as a
 * document, so it gets no script, style or image sources (`default-src 'none'`), may not be framed,
 * is not MIME-sniffed, may only be read same-site by no-cors requests (CORP), sends no referrer
 * (this matters on redirects: the login callback's URL carries the authorization code) and tells
 * browsers to stay on HTTPS. Resolved and validated by Nest (`resolveSecurityHeaders`) once, at boot.
 *
 * helmet's document-only headers are left out here: Cross-Origin-Opener-Policy, Origin-Agent-Cluster,
 * X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-Policies and X-XSS-Protection
 * only act on a browsing context (an HTML page), and each header costs every client on every response.
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
 * Security headers of HTML documents (Swagger UI at /docs): helmet 8's full set, with a policy that
 * lets Swagger UI run (its scripts and styles come from the app itself; inline styles; data: images).
 */
export const DOCUMENT_SECURITY_HEADERS: SecurityHeadersOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginResourcePolicy: { policy: 'same-site' },
  xFrameOptions: { action: 'deny' },
};

/**
 * What an HTML response gets on top of (or instead of) the API set: every header of the document set
 * whose value differs. Both sets are resolved and validated by Nest, once.
 */
export function documentHeaderOverrides(): ReadonlyArray<readonly [string, string]> {
  const api = new Map(resolveSecurityHeaders(API_SECURITY_HEADERS).headers.map(([name, value]) => [name.toLowerCase(), value]));
  return resolveSecurityHeaders(DOCUMENT_SECURITY_HEADERS)
    .headers.map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name, value]) => api.get(name) !== value);
}

/**
 * Installs the security headers, from one `onSend` hook (so every response sent through a Fastify reply
 * carries them: JSON, problem+json, 304, 404s, refusals): the API set wherever the
 * response has not set that header itself, and for responses sent as `text/html`, the document set
 * in its place.
 *
 * They are written to the Fastify reply, not to the Node.js response. Nest's `app.useSecurityHeaders()`
 * writes them to the Node.js response in a request hook, and one header set there makes Node.js merge
 * every reply header into its own header map, validating each name and value a second time, on every
 * response; the values are the ones Nest resolves (`resolveSecurityHeaders`), once, at boot. A response
 * written to the Node.js response directly (a hijacked reply, an `@Sse()` stream) does not pass through
 * `onSend` and carries none of them; the platform's routes have none.
 */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  const api = resolveSecurityHeaders(API_SECURITY_HEADERS).headers.map(([name, value]) => [name.toLowerCase(), value] as const);
  const overrides = documentHeaderOverrides();
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of api) if (!reply.hasHeader(name)) void reply.header(name, value);
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) for (const [name, value] of overrides) void reply.header(name, value);
    done(null, payload);
  });
}
