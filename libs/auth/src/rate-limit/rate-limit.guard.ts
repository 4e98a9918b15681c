import { Injectable, Optional, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
} from '@nestjs/throttler';

import { identityOf, PlatformError, ROUTE_ACCESS, type RouteAccess } from '@bff/core';

import { AuthMetrics } from '../auth.metrics.js';
import { PartnerQuota } from '../quota/partner-quota.js';
import { clientIp } from './client-ip.js';
import { RateLimitEnv } from './rate-limit.env.js';
import type { RateLimitRecord, RateLimitStore } from './rate-limit.store.js';

/** The reply as the guard writes headers to it (Fastify's reply). */
interface Reply {
  header(name: string, value: string): unknown;
  getHeader?(name: string): unknown;
}

/**
 * @nestjs/throttler's guard, keyed per client and answering in the platform's terms, through the
 * guard's documented extension points only (shouldSkip, getTracker, handleRequest):
 *
 * - the tracker is the partner id (API keys), `<strategy>:<subject>` (JWT, session), else the
 *   client IP (anonymous routes), so one budget covers all of a client's routes and instances;
 * - one counter per client and throttler across routes; a route whose `@Throttle` gives that
 *   throttler another limit or window than the module's gets a counter of its own;
 * - a refusal is a PlatformError 'rate_limited' → 429 problem+json with Retry-After;
 * - the IETF `RateLimit-Policy` / `RateLimit` headers describe the budget;
 * - a partner's request then counts against its daily quota (PartnerQuota), a `"daily"` item in
 *   those headers, even with RATE_LIMIT_ENABLED=false (a quota is a contract, not a protection).
 *
 * It must run after core's AccessGuard (which establishes the identity): RateLimitModule has to be
 * imported after CoreModule. A protected route reaching this guard without an identity means the
 * order is wrong, and the request fails loudly rather than being limited per IP by mistake.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly counters: RateLimitStore,
    reflector: Reflector,
    private readonly env: RateLimitEnv,
    @Optional() private readonly metrics?: AuthMetrics,
    @Optional() private readonly quota?: PartnerQuota,
  ) {
    super(options, counters, reflector);
  }

  /** The request budgets (throttlers) first; a request they let through then counts against the partner's daily quota. */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const allowed = await super.canActivate(context);
    if (allowed && this.quota && context.getType() === 'http') {
      const { req, res } = this.getRequestResponse(context);
      await this.quota.enforce(identityOf(req), res as Reply);
    }
    return allowed;
  }

  /** Never limited: non-HTTP contexts, the switch turned off, load-balancer probes. */
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.env.RATE_LIMIT_ENABLED) return Promise.resolve(true);
    const route = context.switchToHttp().getRequest<{ routeOptions?: { url?: string } }>().routeOptions?.url ?? '';
    return Promise.resolve(route.startsWith('/health/'));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const identity = identityOf(request);
    if (identity?.partnerId) return Promise.resolve(`partner:${identity.partnerId}`);
    if (identity) return Promise.resolve(`${identity.strategy}:${identity.subject}`);
    return Promise.resolve(`ip:${clientIp(request)}`);
  }

  protected override async handleRequest({
    context,
    limit,
    ttl,
    throttler,
    blockDuration,
    getTracker,
  }: ThrottlerRequest): Promise<boolean> {
    const { req, res } = this.getRequestResponse(context);
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (access?.mode === 'protected' && !identityOf(req)) {
      throw new PlatformError(
        'internal',
        'RATE_LIMIT_GUARD_ORDER',
        'RateLimitGuard ran before AccessGuard: import RateLimitModule after CoreModule',
      );
    }
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const ownLimit = limit !== throttler.limit || ttl !== throttler.ttl;
    const key = ownLimit ? `${name}:${context.getClass().name}.${context.getHandler().name}:${tracker}` : `${name}:${tracker}`;
    const record = await this.counters.increment(key, ttl, limit, blockDuration, name);
    writeRateLimitHeaders(res as Reply, record, { name, limit, ttl });
    if (record.isBlocked) {
      this.metrics?.rateLimited(name);
      throw rateLimited(record, { name, limit, ttl }, tracker);
    }
    return true;
  }
}

interface Budget {
  readonly name: string;
  readonly limit: number;
  readonly ttl: number;
}

/** The IETF RateLimit-Policy / RateLimit headers of one counter update. */
function writeRateLimitHeaders(res: Reply, record: RateLimitRecord, { name, limit, ttl }: Budget): void {
  const remaining = record.isBlocked ? 0 : Math.max(0, limit - record.totalHits);
  const reset = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
  res.header('RateLimit-Policy', `"${name}";q=${limit};w=${Math.ceil(ttl / 1000)}`);
  res.header('RateLimit', `"${name}";r=${remaining};t=${reset}`);
}

function rateLimited(record: RateLimitRecord, { name, limit, ttl }: Budget, tracker: string): PlatformError {
  return new PlatformError('rate_limited', 'RATE_LIMITED', `Rate limit '${name}' exceeded by ${tracker}`, {
    publicDetail: `Rate limit exceeded: at most ${limit} requests per ${Math.ceil(ttl / 1000)} s. Retry later.`,
    retryAfterSeconds: Math.max(1, record.timeToBlockExpire),
  });
}
