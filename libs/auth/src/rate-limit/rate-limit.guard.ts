import { Injectable, type CanActivate, type ExecutionContext, type OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import { identityOf, PlatformError, ROUTE_ACCESS, type RouteAccess } from '@bff/core';
import { clientIp } from './client-ip.js';
import { RateLimitEnv } from './rate-limit.env.js';
import type { RateLimitRecord, RateLimitStore } from './rate-limit.store.js';

/** @nestjs/throttler's metadata keys of `@Throttle`/`@SkipThrottle` (suffixed with the throttler name); not exported by the package. */
const THROTTLER_LIMIT = 'THROTTLER:LIMIT';
const THROTTLER_TTL = 'THROTTLER:TTL';
const THROTTLER_BLOCK_DURATION = 'THROTTLER:BLOCK_DURATION';
const THROTTLER_TRACKER = 'THROTTLER:TRACKER';
const THROTTLER_KEY_GENERATOR = 'THROTTLER:KEY_GENERATOR';
const THROTTLER_SKIP = 'THROTTLER:SKIP';

/** A route's metadata targets, as guards read them: the handler, then its controller class. */
type Target = ReturnType<ExecutionContext['getHandler']>;
type Targets = [handler: Target, controller: Target];
/** The reply as the guard writes headers to it (Fastify's reply). */
interface Reply {
  header(name: string, value: string): unknown;
}

/** One throttler as it applies to one route, its values resolved once. */
interface RouteLimit {
  readonly name: string;
  readonly limit: number;
  readonly ttl: number;
  readonly blockDuration: number;
  /** The route has its own `@Throttle` limit for this throttler, so its own counter. */
  readonly ownCounter: boolean;
  /** `RateLimit-Policy` of this limit (it does not change per request). */
  readonly policy: string;
}

/**
 * A route's rate limiting, read from its metadata once. `null`: something is decided per request
 * (a function-valued limit, a route-level tracker or key generator, module-level skipIf,
 * ignoreUserAgents...), so the route takes @nestjs/throttler's own path.
 */
interface RoutePlan {
  readonly protectedRoute: boolean;
  /** `<Controller>.<method>`, the counter name of a route with its own limit. */
  readonly routeName: string;
  /** The throttlers that apply (those skipped by `@SkipThrottle` are left out). */
  readonly limits: readonly RouteLimit[];
}

/**
 * @nestjs/throttler's guard, keyed per client and answering in the platform's terms:
 *
 * - the tracker is the partner id (API keys), `<strategy>:<subject>` (JWT, session), else the
 *   client IP (anonymous routes), so one budget covers all of a client's routes and instances;
 * - a refusal is a PlatformError 'rate_limited' → 429 problem+json with Retry-After;
 * - the IETF `RateLimit-Policy` / `RateLimit` headers describe the budget.
 *
 * Each route's limits are resolved from its metadata once (route metadata is fixed once the
 * controllers are defined). A request then costs one counter update per throttler, and nothing
 * else: with the in-memory store the guard answers synchronously; with Redis it awaits the one
 * round trip. Routes whose limits are decided per request (function-valued `@Throttle` options,
 * route-level trackers or key generators, module-level `skipIf`/`ignoreUserAgents`) take
 * @nestjs/throttler's own path, with the same tracker, keys, headers and refusal.
 *
 * It must run after core's AccessGuard (which establishes the identity): RateLimitModule has to be
 * imported after CoreModule. A protected route reaching this guard without an identity means the
 * order is wrong, and the request fails loudly rather than being limited per IP by mistake.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleInit {
  /** handler → controller → plan (`null`: per-request decisions, see RoutePlan). */
  private readonly plans = new WeakMap<object, WeakMap<object, RoutePlan | null>>();
  private readonly reflector = new Reflector();
  /** @nestjs/throttler's own guard, for routes whose limits are decided per request. */
  private readonly library: LibraryPath;

  constructor(
    @InjectThrottlerOptions() private readonly options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly counters: RateLimitStore,
    private readonly env: RateLimitEnv,
  ) {
    this.library = new LibraryPath(options, counters, this.reflector, this);
  }

  /** Lets @nestjs/throttler resolve its throttlers (sorted, named) once. */
  async onModuleInit(): Promise<void> {
    await this.library.onModuleInit();
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.skips(context)) return true;
    const plan = this.planOf(context.getHandler(), context.getClass());
    if (plan === null) return this.library.canActivate(context);
    // The HTTP request and reply, without the object switchToHttp() builds on every call.
    const req = context.getArgByIndex<Record<string, unknown>>(0);
    const res = context.getArgByIndex<Reply>(1);
    this.assertGuardOrder(plan.protectedRoute, req);
    if (plan.limits.length === 0) return true;
    const tracker = this.trackerOf(req);
    const { counters } = this;
    if (counters.incrementNow === undefined) return this.countAll(plan, tracker, res);
    for (const limit of plan.limits) {
      this.answer(
        counters.incrementNow(this.counterKey(plan, limit, tracker), limit.ttl, limit.limit, limit.blockDuration, limit.name),
        limit,
        tracker,
        res,
      );
    }
    return true;
  }

  /** The store has no synchronous counter (Redis): one awaited update per throttler. */
  private async countAll(plan: RoutePlan, tracker: string, res: Reply): Promise<boolean> {
    for (const limit of plan.limits) {
      this.answer(
        await this.counters.increment(this.counterKey(plan, limit, tracker), limit.ttl, limit.limit, limit.blockDuration, limit.name),
        limit,
        tracker,
        res,
      );
    }
    return true;
  }

  /** Never limited: non-HTTP contexts, the switch turned off, load-balancer probes. */
  skips(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || !this.env.RATE_LIMIT_ENABLED) return true;
    const route = context.getArgByIndex<{ routeOptions?: { url?: string } }>(0).routeOptions?.url ?? '';
    return route.startsWith('/health/');
  }

  trackerOf(request: Record<string, unknown>): string {
    const identity = identityOf(request);
    if (identity?.partnerId) return `partner:${identity.partnerId}`;
    if (identity) return `${identity.strategy}:${identity.subject}`;
    return `ip:${clientIp(request)}`;
  }

  /**
   * One counter per client and throttler across routes (the default would count per handler). A
   * route with its own `@Throttle({ <name>: ... })` limit gets its own counter, so its limit is not
   * mixed with the shared budget.
   */
  keyOf(targets: Targets, tracker: string, throttlerName: string): string {
    return counterKeyOf(throttlerName, this.hasOwnLimit(targets, throttlerName) ? routeNameOf(targets) : undefined, tracker);
  }

  private counterKey(plan: RoutePlan, limit: RouteLimit, tracker: string): string {
    return counterKeyOf(limit.name, limit.ownCounter ? plan.routeName : undefined, tracker);
  }

  /** Whether the route is protected (its identity must then be established already). */
  isProtected(targets: Targets): boolean {
    return this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, targets)?.mode === 'protected';
  }

  assertGuardOrder(protectedRoute: boolean, request: Record<string, unknown>): void {
    if (protectedRoute && !identityOf(request)) {
      throw new PlatformError(
        'internal',
        'RATE_LIMIT_GUARD_ORDER',
        'RateLimitGuard ran before AccessGuard: import RateLimitModule after CoreModule',
      );
    }
  }

  /** The RateLimit headers of one counter update, and the refusal when it is over the limit. */
  answer(record: RateLimitRecord, limit: Pick<RouteLimit, 'name' | 'limit' | 'ttl' | 'policy'>, tracker: string, res: Reply): void {
    const remaining = record.isBlocked ? 0 : Math.max(0, limit.limit - record.totalHits);
    const reset = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
    res.header('RateLimit-Policy', limit.policy);
    res.header('RateLimit', `"${limit.name}";r=${remaining};t=${reset}`);
    if (record.isBlocked) {
      throw new PlatformError('rate_limited', 'RATE_LIMITED', `Rate limit '${limit.name}' exceeded by ${tracker}`, {
        publicDetail: `Rate limit exceeded: at most ${limit.limit} requests per ${Math.ceil(limit.ttl / 1000)} s. Retry later.`,
        retryAfterSeconds: Math.max(1, record.timeToBlockExpire),
      });
    }
  }

  private hasOwnLimit(targets: Targets, throttlerName: string): boolean {
    return (
      this.reflector.getAllAndOverride<unknown>(`${THROTTLER_LIMIT}${throttlerName}`, targets) !== undefined ||
      this.reflector.getAllAndOverride<unknown>(`${THROTTLER_TTL}${throttlerName}`, targets) !== undefined
    );
  }

  private planOf(handler: Target, controller: Target): RoutePlan | null {
    let byClass = this.plans.get(handler);
    if (!byClass) this.plans.set(handler, (byClass = new WeakMap()));
    let plan = byClass.get(controller);
    if (plan === undefined) {
      plan = this.resolvePlan([handler, controller]);
      byClass.set(controller, plan);
    }
    return plan;
  }

  /** Resolves what @nestjs/throttler would resolve on every request, when none of it depends on the request. */
  private resolvePlan(targets: Targets): RoutePlan | null {
    const { options } = this;
    if (Array.isArray(options) || options.skipIf || options.ignoreUserAgents || options.getTracker || options.generateKey) return null;
    const read = (key: string): unknown => this.reflector.getAllAndOverride<unknown>(key, targets);
    const limits: RouteLimit[] = [];
    for (const throttler of this.library.resolvedThrottlers()) {
      const name = throttler.name ?? 'default';
      if (throttler.skipIf || throttler.ignoreUserAgents || throttler.getTracker || throttler.generateKey) return null;
      if (read(`${THROTTLER_TRACKER}${name}`) !== undefined || read(`${THROTTLER_KEY_GENERATOR}${name}`) !== undefined) return null;
      if (read(`${THROTTLER_SKIP}${name}`)) continue;
      const limit = read(`${THROTTLER_LIMIT}${name}`) ?? throttler.limit;
      const ttl = read(`${THROTTLER_TTL}${name}`) ?? throttler.ttl;
      const blockDuration = read(`${THROTTLER_BLOCK_DURATION}${name}`) ?? throttler.blockDuration ?? ttl;
      if (typeof limit !== 'number' || typeof ttl !== 'number' || typeof blockDuration !== 'number') return null;
      limits.push({ name, limit, ttl, blockDuration, ownCounter: this.hasOwnLimit(targets, name), policy: policyOf(name, limit, ttl) });
    }
    return { protectedRoute: this.isProtected(targets), routeName: routeNameOf(targets), limits };
  }
}

/**
 * @nestjs/throttler's guard, for the routes whose limits are decided per request: the library
 * resolves them, and the platform's rules (skips, tracker, counter keys, guard order, headers,
 * refusal) apply exactly as on the resolved path.
 */
class LibraryPath extends ThrottlerGuard {
  constructor(
    options: ThrottlerModuleOptions,
    private readonly counters: RateLimitStore,
    reflector: Reflector,
    private readonly rules: RateLimitGuard,
  ) {
    super(options, counters, reflector);
  }

  /** The throttlers as @nestjs/throttler resolved them in onModuleInit (sorted, named). */
  resolvedThrottlers(): readonly ThrottlerOptions[] {
    return this.throttlers;
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(this.rules.skips(context));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(this.rules.trackerOf(request));
  }

  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return this.rules.keyOf([context.getHandler(), context.getClass()], tracker, throttlerName);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const { req, res } = this.getRequestResponse(context);
    this.rules.assertGuardOrder(this.rules.isProtected([context.getHandler(), context.getClass()]), req);
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const record = await this.counters.increment(generateKey(context, tracker, name), ttl, limit, blockDuration, name);
    this.rules.answer(record, { name, limit, ttl, policy: policyOf(name, limit, ttl) }, tracker, res as Reply);
    return true;
  }
}

/** A client's counter for one throttler: shared by all routes, or the route's own (`routeName`) when it has its own limit. */
function counterKeyOf(throttlerName: string, routeName: string | undefined, tracker: string): string {
  return routeName === undefined ? `${throttlerName}:${tracker}` : `${throttlerName}:${routeName}:${tracker}`;
}

function routeNameOf([handler, controller]: Targets): string {
  return `${controller.name}.${handler.name}`;
}

function policyOf(name: string, limit: number, ttl: number): string {
  return `"${name}";q=${limit};w=${Math.ceil(ttl / 1000)}`;
}
