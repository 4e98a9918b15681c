import type { FastifyReply } from 'fastify';

import type { SecurityScheme } from '../app-definition.js';

/** The request header that carries the credentials of an OpenAPI security scheme, or undefined (query parameters). */
export function credentialHeaderOf(scheme: SecurityScheme): string | undefined {
  if (scheme.type === 'apiKey') return scheme.in === 'header' ? scheme.name : scheme.in === 'cookie' ? 'Cookie' : undefined;
  // http (bearer, basic), oauth2, openIdConnect: the token travels in Authorization.
  return 'Authorization';
}

/** `current` (a Vary value) with `name` added, unless it is already listed or Vary is `*`. */
export function appendVary(current: unknown, name: string): string {
  const text = Array.isArray(current) ? current.join(', ') : typeof current === 'string' ? current : '';
  const names = text
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  if (names.some((field) => field === '*' || field.toLowerCase() === name.toLowerCase())) return names.join(', ');
  return [...names, name].join(', ');
}

/**
 * Marks the answer of an authenticated route as personal: no cache may store it (`no-store`), and
 * `Vary` names the credential header it depends on, for caches that do not honour no-store on every
 * status. A route's own headers (`@Header()`) and the response cache's (`@Cached`, applied as the
 * response is sent) replace Cache-Control; problem answers carry `no-store` anyway.
 */
export function markPersonal(reply: FastifyReply, credentialHeader: string | undefined): void {
  void reply.header('cache-control', 'no-store');
  if (credentialHeader) void reply.header('vary', appendVary(reply.getHeader('vary'), credentialHeader));
}
