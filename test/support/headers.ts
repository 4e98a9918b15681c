import { expect } from 'vitest';

/** The OWASP REST set every API response carries (README "How a request flows"). */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Lowercased field names of a Vary header. */
export function varyOf(res: Response): string[] {
  return (res.headers.get('vary') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Asserts what an authenticated answer of a route that is not @Cached carries: no cache may keep it
 * (`Cache-Control: no-store`), `Vary` names the credential header it depends on, plus the API security
 * headers and the request id.
 */
export function expectNotStored(res: Response, credentialHeader: string): void {
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(varyOf(res)).toContain(credentialHeader.toLowerCase());
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
  expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
}
