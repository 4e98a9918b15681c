import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';

import { CORE_MODULE_OPTIONS, type CoreModuleOptions } from '../core.module-definition.js';
import { PlatformError } from '../errors/platform-error.js';
import { AccessMetrics } from '../metrics/access.metrics.js';
import { RequestContext } from '../request-context/request-context.js';
import { ROUTE_ACCESS } from './access.constants.js';
import type { Identity, RouteAccess } from './access.types.js';
import { AuthenticatorRegistry } from './authenticator.registry.js';
import { IDENTITY_SLOT } from './identity.js';
import { credentialHeaderOf, markPersonal } from './private-response.js';

/**
 * The one global guard. Undecided routes are denied; public routes pass; protected routes are
 * authenticated by the strategy they name and must carry every required scope, and their answers,
 * refusals included, are marked personal (`Cache-Control: no-store`, `Vary` on the credential header
 * of the strategy's security scheme).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');
  /** Strategy name → the request header its credentials travel in (from the app's security schemes). */
  private readonly credentialHeaders = new Map<string, string | undefined>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticators: AuthenticatorRegistry,
    private readonly metrics: AccessMetrics,
    @Inject(CORE_MODULE_OPTIONS) options: CoreModuleOptions,
  ) {
    for (const [strategy, scheme] of Object.entries(options.app.securitySchemes ?? {})) {
      this.credentialHeaders.set(strategy, credentialHeaderOf(scheme));
    }
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (!access) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no access decision; denied by default`);
      throw new PlatformError('forbidden', 'ACCESS_UNDECLARED', 'Route declares no access decision', {
        publicDetail: 'Access to this resource is denied.',
      });
    }
    if (access.mode === 'public') return true;
    return this.authenticate(context, access);
  }

  private async authenticate(context: ExecutionContext, access: Extract<RouteAccess, { mode: 'protected' }>): Promise<boolean> {
    const authenticator = this.authenticators.get(access.strategy);
    if (!authenticator) {
      throw new PlatformError('internal', 'AUTH_STRATEGY_MISSING', `No authenticator registered for '${access.strategy}'`);
    }
    const http = context.switchToHttp();
    markPersonal(http.getResponse<FastifyReply>(), this.credentialHeaders.get(access.strategy));
    const request = http.getRequest<Record<symbol, unknown>>();
    let identity: Identity;
    try {
      identity = await authenticator.authenticate(request);
    } catch (error) {
      this.metrics.failed(access.strategy, error);
      throw error;
    }
    const missing = access.scopes.filter((scope) => !identity.scopes.includes(scope));
    if (missing.length) {
      const refusal = new PlatformError('forbidden', 'INSUFFICIENT_SCOPE', `Missing scopes: ${missing.join(' ')}`, {
        publicDetail: `This operation requires the scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`,
        extensions: { requiredScopes: access.scopes },
      });
      this.metrics.failed(access.strategy, refusal);
      throw refusal;
    }
    request[IDENTITY_SLOT] = identity;
    // Also in the request context, so libs (upstream cache partitions, caching) see the caller without the request object.
    RequestContext.setSlot(IDENTITY_SLOT, identity);
    return true;
  }
}
