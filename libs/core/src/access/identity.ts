import type { Identity } from './access.types.js';

/** Where the AccessGuard stores the authenticated caller on the request. */
export const IDENTITY_SLOT: unique symbol = Symbol('bff:identity');

/** The identity established for this request, if the route is protected. */
export function identityOf(request: unknown): Identity | undefined {
  return (request as Record<symbol, Identity | undefined>)[IDENTITY_SLOT];
}
