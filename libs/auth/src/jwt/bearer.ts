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
