import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { ROUTE_ACCESS, type RouteAccess } from '@bff/core';

import { assertCsrf, UNSAFE_METHODS } from './csrf.js';
import { SessionConfig } from './session.config.js';
import { SERVER_TO_SERVER, SESSION_STRATEGY } from './session.constants.js';

/**
 * Global guard of apps using the session strategy: every state-changing request (POST, PUT,
 * PATCH, DELETE) on a public or session route needs the CSRF header. Session routes of any method
 * are checked by the session authenticator itself. Routes protected by a strategy whose
 * credentials a browser never sends on its own (bearer token, API key) cannot be forged
 * cross-site and are left alone, as are @PublicServerToServer routes (they read no browser credential).
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly config: SessionConfig,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.getArgByIndex<{ method: string; headers: Record<string, string | string[] | undefined> }>(0);
    if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (access?.mode === 'protected' && access.strategy !== SESSION_STRATEGY) return true;
    // @PublicServerToServer: no browser credential is read, nothing to forge.
    if (
      access?.mode === 'public' &&
      this.reflector.getAllAndOverride<boolean>(SERVER_TO_SERVER, [context.getHandler(), context.getClass()])
    )
      return true;
    assertCsrf(request.headers, this.config.allowedOrigins);
    return true;
  }
}
