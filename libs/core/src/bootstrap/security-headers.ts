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

type HeaderList = ReadonlyArray<readonly [string, string]>;

/** A header set as Nest resolves and validates it, with lower-cased names (as Fastify keeps them). */
function resolvedHeaders(options: SecurityHeadersOptions): HeaderList {
  return resolveSecurityHeaders(options).headers.map(([name, value]) => [name.toLowerCase(), value] as const);
}

/**
 * What an HTML response gets on top of (or instead of) the API set: every header of the document set
 * whose value differs.
 */
function documentHeaderOverrides(api: HeaderList): HeaderList {
  const apiValues = new Map(api);
  return resolvedHeaders(DOCUMENT_SECURITY_HEADERS).filter(([name, value]) => apiValues.get(name) !== value);
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
  // Both sets are resolved and validated once, here.
  const api = resolvedHeaders(API_SECURITY_HEADERS);
  const overrides = documentHeaderOverrides(api);
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of api) if (!reply.hasHeader(name)) void reply.header(name, value);
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) for (const [name, value] of overrides) void reply.header(name, value);
    done(null, payload);
  });
}
