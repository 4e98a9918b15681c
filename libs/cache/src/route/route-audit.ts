import { RequestMethod, type Type } from '@nestjs/common';

import { declaredRouteOf, ROUTE_ACCESS, type RouteAccess } from '@bff/core';

import { CACHED_ROUTE } from '../cache.constants.js';
import type { CachePolicy } from './cache.decorators.js';

export interface AuditedRoute {
  readonly controller: Type;
  readonly handler: (...args: never[]) => unknown;
  readonly name: string;
}

export interface AuditFindings {
  /** Misconfigurations that would serve one caller's data to another, or cannot work: the boot fails. */
  readonly errors: string[];
  /** Routes that will never be cached as declared. */
  readonly warnings: string[];
  /** Cached routes, for the boot log. */
  readonly cached: string[];
}

/**
 * Boot-time checks of every @Cached route:
 * - only GET routes answering 200 can be cached (error);
 * - scope 'public' on a @Protected route shares one caller's response with every other caller:
 *   refused unless the route declares `sharedAcrossIdentities: true` (error);
 * - scope 'user'/'partner' on a route without @Protected has no identity to key by, so it is never
 *   cached (warning; e.g. a route whose protection is still to come).
 */
export function auditCachedRoutes(routes: readonly AuditedRoute[]): AuditFindings {
  const findings: AuditFindings = { errors: [], warnings: [], cached: [] };
  for (const { controller, handler, name } of routes) {
    const policy = Reflect.getMetadata(CACHED_ROUTE, handler) as CachePolicy | undefined;
    if (!policy) continue;
    const where = `${controller.name}.${name}`;
    const { method, httpCode: code } = declaredRouteOf(handler);
    if (method !== RequestMethod.GET) findings.errors.push(`${where}: @Cached applies to GET routes only`);
    if (code !== undefined && code !== 200) findings.errors.push(`${where}: @Cached routes must answer 200 (declares @HttpCode(${code}))`);
    const access = (Reflect.getMetadata(ROUTE_ACCESS, handler) ?? Reflect.getMetadata(ROUTE_ACCESS, controller)) as RouteAccess | undefined;
    const isProtected = access?.mode === 'protected';
    if (policy.scope === 'public' && isProtected && !policy.sharedAcrossIdentities) {
      findings.errors.push(
        `${where}: @Cached scope 'public' on a @Protected('${access.strategy}') route would serve one caller's response to every other caller. ` +
          `Use scope 'user' or 'partner', or declare sharedAcrossIdentities: true if the response does not depend on the caller`,
      );
    }
    if (policy.scope !== 'public' && !isProtected) {
      findings.warnings.push(
        `${where}: @Cached scope '${policy.scope}' on a route that is not @Protected has no verified identity; it is never cached`,
      );
    }
    findings.cached.push(`${where} (${policy.scope}, ttl ${policy.ttlMs / 1000}s)`);
  }
  return findings;
}
