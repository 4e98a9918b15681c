import type { OpenAPIObject } from '@nestjs/swagger';

import { addHeader, addHeaderParameter, addProblemResponse, operationsOf } from '@bff/core';

import { UNSAFE_METHODS } from './csrf.js';
import { CSRF_HEADER_VALUE, SESSION_STRATEGY } from './session.constants.js';

/**
 * Where CsrfGuard and the session authenticator require `X-CSRF: 1`: every session route, and every
 * state-changing request on a public route. Routes of other strategies (bearer, API key) and
 * server-to-server routes (`x-server-to-server`, @PublicServerToServer) are exempt.
 * Session routes also document the cookie clearing on their 401.
 */
export function documentCsrf(document: OpenAPIObject): void {
  for (const { method, operation } of operationsOf(document)) {
    const strategies = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
    const session = strategies.includes(SESSION_STRATEGY);
    const serverToServer = (operation as unknown as Record<string, unknown>)['x-server-to-server'] === true;
    if (!session && !(strategies.length === 0 && UNSAFE_METHODS.has(method) && !serverToServer)) continue;
    addHeaderParameter(operation, {
      name: 'X-CSRF',
      in: 'header',
      required: true,
      description: 'Proves a same-origin call (a custom header needs a CORS preflight). Without it: 403.',
      schema: { type: 'string', enum: [CSRF_HEADER_VALUE] },
    });
    addProblemResponse(operation, 403);
    // An expired session is refused with its cookie cleared (SessionResolver).
    if (session) {
      addHeader(addProblemResponse(operation, 401), 'Set-Cookie', {
        description: 'Clears the session cookie when the session has expired.',
        schema: { type: 'string' },
      });
    }
  }
}
