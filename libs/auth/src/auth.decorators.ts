import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import { identityOf, PlatformError, type Identity } from '@bff/core';

function requireIdentity(ctx: ExecutionContext): Identity {
  const identity = identityOf(ctx.switchToHttp().getRequest());
  if (!identity) {
    // Only reachable when a public route asks for the caller: a programming error, not the client's.
    throw new PlatformError(
      'internal',
      'IDENTITY_UNAVAILABLE',
      `${ctx.getClass().name}.${ctx.getHandler().name} reads the caller but is not @Protected`,
    );
  }
  return identity;
}

/**
 * The authenticated caller of a `@Protected(...)` route, whatever the strategy (session, jwt,
 * api-key): `{ strategy, subject, scopes, partnerId?, claims }`. Same behaviour in every app.
 */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Identity => requireIdentity(ctx));
