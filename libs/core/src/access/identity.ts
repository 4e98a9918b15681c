import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import type { Identity } from './access.types.js';

/** Where the AccessGuard stores the authenticated caller on the request. */
export const IDENTITY_SLOT: unique symbol = Symbol('bff:identity');

/** The identity established for this request, if the route is protected. */
export function identityOf(request: unknown): Identity | undefined {
  return (request as Record<symbol, Identity | undefined>)[IDENTITY_SLOT];
}

/** Injects the authenticated caller into a handler parameter. */
export const CurrentIdentity = createParamDecorator((_data: unknown, ctx: ExecutionContext): Identity | undefined =>
  identityOf(ctx.switchToHttp().getRequest()),
);
