import { PlatformError } from '@bff/core';

import { CSRF_HEADER, CSRF_HEADER_VALUE } from './session.constants.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Methods that change state: they always need the CSRF header, whatever the route's access. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses a request that a cross-site page could have sent: it must carry `X-CSRF: 1` (a custom
 * header needs a CORS preflight, which only allowlisted origins pass) and, when the browser states
 * an Origin, that origin must be allowed.
 */
export function assertCsrf(headers: Headers, allowedOrigins: ReadonlySet<string>): void {
  if (headers[CSRF_HEADER] !== CSRF_HEADER_VALUE) {
    throw new PlatformError('forbidden', 'CSRF_HEADER_REQUIRED', `Missing or wrong ${CSRF_HEADER} header`, {
      publicDetail: `This request must carry the header X-CSRF: ${CSRF_HEADER_VALUE}.`,
    });
  }
  const origin = headers.origin;
  if (origin !== undefined && (typeof origin !== 'string' || !allowedOrigins.has(origin))) {
    throw new PlatformError('forbidden', 'CSRF_ORIGIN_REFUSED', 'Request from an origin that may not use the session', {
      publicDetail: 'Requests from this origin are not allowed.',
      context: { origin },
    });
  }
}
