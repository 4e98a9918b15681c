const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export type BearerCredentials =
  { readonly kind: 'missing' } | { readonly kind: 'malformed' } | { readonly kind: 'token'; readonly token: string };

/** Reads `Authorization: Bearer <token>` (RFC 6750 §2.1). Anything else present is malformed. */
export function bearerCredentials(headers: Readonly<Record<string, string | string[] | undefined>>): BearerCredentials {
  const value = headers.authorization;
  if (value === undefined || value === '') return { kind: 'missing' };
  if (typeof value !== 'string') return { kind: 'malformed' };
  const match = BEARER.exec(value);
  return match?.[1] ? { kind: 'token', token: match[1] } : { kind: 'malformed' };
}

const TOKEN_AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;

export type TokenCredentials =
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'token'; readonly scheme: 'bearer' | 'dpop'; readonly token: string };

/** Reads `Authorization: Bearer <token>` (RFC 6750) or `Authorization: DPoP <token>` (RFC 9449 §7.1). */
export function tokenCredentials(headers: Readonly<Record<string, string | string[] | undefined>>): TokenCredentials {
  const value = headers.authorization;
  if (value === undefined || value === '') return { kind: 'missing' };
  if (typeof value !== 'string') return { kind: 'malformed' };
  const match = TOKEN_AUTHORIZATION.exec(value);
  if (!match?.[1] || !match[2]) return { kind: 'malformed' };
  return { kind: 'token', scheme: match[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2] };
}
