import { Injectable, type ExecutionContext } from '@nestjs/common';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerRequest, type ThrottlerStorage } from '@nestjs/throttler';
import { identityOf, PlatformError, ROUTE_ACCESS, StaticMetadataReflector, type RouteAccess } from '@bff/core';
import { clientIp } from './client-ip.js';

/** @nestjs/throttler's metadata keys of `@Throttle` (suffixed with the throttler name); not exported by the package. */
const THROTTLER_LIMIT = 'THROTTLER:LIMIT';
const THROTTLER_TTL = 'THROTTLER:TTL';
import { RateLimitEnv } from './rate-limit.env.js';

/**
 * @nestjs/throttler's guard, keyed per client and answering in the platform's terms:
 *
 * - the tracker is the partner id (API keys), `<strategy>:<subject>` (JWT, session), else the
 *   client IP (anonymous routes), so one budget covers all of a client's routes and instances;
 * - a refusal is a PlatformError 'rate_limited' → 429 problem+json with Retry-After;
 * - the IETF `RateLimit-Policy` / `RateLimit` headers describe the budget.
 *
 * It must run after core's AccessGuard (which establishes the identity): RateLimitModule has to be
 * imported after CoreModule. A protected route reaching this guard without an identity means the
 * order is wrong, and the request fails loudly rather than being limited per IP by mistake.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    private readonly env: RateLimitEnv,
  ) {
    // Route metadata (@Public/@Protected, @Throttle, @SkipThrottle) is read once per route, not per request.
    super(options, storage, new StaticMetadataReflector());
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || !this.env.RATE_LIMIT_ENABLED) return Promise.resolve(true);
    // Load-balancer probes are never limited.
    const route = context.switchToHttp().getRequest<{ routeOptions?: { url?: string } }>().routeOptions?.url ?? '';
    return Promise.resolve(route.startsWith('/health/'));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const identity = identityOf(request);
    if (identity?.partnerId) return Promise.resolve(`partner:${identity.partnerId}`);
    if (identity) return Promise.resolve(`${identity.strategy}:${identity.subject}`);
    return Promise.resolve(`ip:${clientIp(request)}`);
  }

  /**
   * One counter per client and throttler across routes (the default would count per handler). A
   * route with its own `@Throttle({ <name>: ... })` limit gets its own counter, so its limit is not
   * mixed with the shared budget.
   */
  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    const targets = [context.getHandler(), context.getClass()];
    const ownLimit =
      this.reflector.getAllAndOverride<unknown>(`${THROTTLER_LIMIT}${throttlerName}`, targets) !== undefined ||
      this.reflector.getAllAndOverride<unknown>(`${THROTTLER_TTL}${throttlerName}`, targets) !== undefined;
    return ownLimit ? `${throttlerName}:${context.getClass().name}.${context.getHandler().name}:${tracker}` : `${throttlerName}:${tracker}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const { req, res } = this.getRequestResponse(context);
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (access?.mode === 'protected' && !identityOf(req)) {
      throw new PlatformError('internal', 'RATE_LIMIT_GUARD_ORDER', 'RateLimitGuard ran before AccessGuard: import RateLimitModule after CoreModule');
    }
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const record = await this.storageService.increment(generateKey(context, tracker, name), ttl, limit, blockDuration, name);
    const remaining = record.isBlocked ? 0 : Math.max(0, limit - record.totalHits);
    const reset = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
    this.setResponseHeader(res, 'RateLimit-Policy', `"${name}";q=${limit};w=${Math.ceil(ttl / 1000)}`);
    this.setResponseHeader(res, 'RateLimit', `"${name}";r=${remaining};t=${reset}`);
    if (record.isBlocked) {
      throw new PlatformError('rate_limited', 'RATE_LIMITED', `Rate limit '${name}' exceeded by ${tracker}`, {
        publicDetail: `Rate limit exceeded: at most ${limit} requests per ${Math.ceil(ttl / 1000)} s. Retry later.`,
        retryAfterSeconds: Math.max(1, record.timeToBlockExpire),
      });
    }
    return true;
  }
}
