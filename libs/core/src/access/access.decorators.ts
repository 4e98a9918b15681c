import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';

import { ROUTE_ACCESS } from './access.constants.js';
import type { RouteAccess } from './access.types.js';

/**
 * Marks a route (or a controller) as callable without credentials. The reason is required: it
 * shows up in reviews and in the route-access audit test.
 */
export const Public = (reason: string): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, { mode: 'public', reason } satisfies RouteAccess));

/**
 * Requires the caller to be authenticated by `strategy` and to hold every scope listed. Libs/auth
 * wraps this in friendlier decorators; the OpenAPI security requirement is declared here too.
 */
export const Protected = (strategy: string, scopes: readonly string[] = []): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, { mode: 'protected', strategy, scopes } satisfies RouteAccess),
    ApiSecurity(strategy, [...scopes]),
  );
