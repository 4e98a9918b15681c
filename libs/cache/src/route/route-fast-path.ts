import { Inject, Injectable, type CanActivate, type Type } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  HEADERS_METADATA,
  INTERCEPTORS_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants.js';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, ExternalContextCreator, ModulesContainer } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  HttpRoutes,
  ProblemDetailsFilter,
  RequestContext,
  ROUTE_ACCESS,
  type HttpRoute,
  type RouteAccess,
  type RouteShortcut,
} from '@bff/core';
import { CACHE_NAMESPACE } from '../cache.constants.js';
import { CacheService } from '../cache.service.js';
import type { CacheEntry } from '../stores/entry.js';
import type { CachePolicy } from './cache.decorators.js';
import { isCachedResponse, type CachedResponse } from './cached-response.js';
import { runGuards } from './guard-chain.js';
import { JSON_TYPE, setReplyMeta } from './reply-meta.js';
import { RouteCacheInterceptor, cacheControlFor } from './route-cache.interceptor.js';
import { normalizeQuery, normalizeVary, routeCacheKey, type RawQuery } from './route-key.js';

/** A @Cached controller method, as CacheLifecycle discovers them. */
export interface CachedMethod {
  readonly controller: Type;
  readonly instance: object;
  readonly name: string;
  readonly method: (...args: never[]) => unknown;
  readonly policy: CachePolicy;
}

/** What is sent for a stored entry, prepared once per stored version of it. */
interface Prepared {
  readonly body: Buffer;
  readonly etag: string;
  readonly replayed: readonly (readonly [string, string])[];
  readonly cacheControl: string;
}

export interface FastPathReport {
  /** Routes whose fresh hits are served by the fast path. */
  readonly served: string[];
  /** Cached GET routes left to the interceptor, with the reason. */
  readonly skipped: string[];
}

/** Route paths made of static segments and whole `:name` parameters (where Fastify and Nest read parameters alike). */
const SIMPLE_ROUTE = /^(?:\/(?:[^/:*]*|:[A-Za-z0-9_]+))*$/;

/**
 * The parts of Nest's ExternalContextCreator the fast path reads to list a route's guards exactly as
 * Nest does (public fields and methods of its JavaScript class, not of its typings). When a Nest
 * version lacks them, the fast path stays off and the boot log says so.
 */
interface NestGuardLookup {
  readonly guardsContextCreator?: { create?(instance: object, callback: object, module: string | undefined): CanActivate[] };
  getContextModuleKey?(classRef: Type): string | undefined;
}

/** Route-level metadata under which Nest would run something on a hit that the fast path does not. */
const ROUTE_LEVEL_BLOCKERS: readonly (readonly [string, string])[] = [
  [GUARDS_METADATA, '@UseGuards'],
  [INTERCEPTORS_METADATA, '@UseInterceptors'],
  [EXCEPTION_FILTERS_METADATA, '@UseFilters'],
];
const METHOD_LEVEL_BLOCKERS: readonly (readonly [string, string])[] = [
  [HEADERS_METADATA, '@Header'],
  [REDIRECT_METADATA, '@Redirect'],
  [RENDER_METADATA, '@Render'],
  [SSE_METADATA, '@Sse'],
];

/**
 * The hit path of public cached routes without the Nest interceptor chain.
 *
 * A fresh hit of a `@Cached({ scope: 'public' })` route that is `@Public` is answered by a route
 * shortcut (core's HttpRoutes: a Fastify preHandler step, inside the request context) straight from
 * this instance's memory: the stored JSON bytes and ETag, prepared once per stored entry. The
 * route's guards still run first: the list Nest's own guards context creator gives for the route
 * (the same global guards, in the same order), each called with the execution context Nest would
 * build (the request and reply, the controller class, the controller method), with Nest's rules (a
 * boolean, a promise or an observable; false is Nest's 403). Guards that answer synchronously cost
 * no promise; an error is answered by the platform's problem+json filter. So a hit never skips
 * access control, CSRF checks or rate limits. What it
 * skips is what a hit skips on the interceptor path too (pipes, handler) plus the interceptor chain
 * itself. The response goes through the same onSend/onResponse hooks, so it carries exactly the
 * headers of the interceptor path (request id, security headers, CORS, Cache-Control, ETag/304,
 * Vary, Age, X-Cache) and is access-logged the same way.
 *
 * Everything else falls through to Nest unchanged: misses, stale entries, entries only in Redis,
 * HEAD, `bypass` requests with undeclared query parameters, non-public scopes, @Protected routes.
 * Routes where Nest would run something the fast path cannot replay are never served by it, and the
 * boot log says why: route-level guards, interceptors or filters, @Header/@Redirect/@Render/@Sse,
 * and any global interceptor or exception filter other than the cache's and core's.
 */
@Injectable()
export class RouteCacheFastPath {
  private readonly prepared = new WeakMap<CacheEntry, Prepared>();

  constructor(
    private readonly cache: CacheService,
    @Inject(CACHE_NAMESPACE) private readonly namespace: string,
    private readonly routes: HttpRoutes,
    private readonly modules: ModulesContainer,
    private readonly contexts: ExternalContextCreator,
  ) {}

  /**
   * Installs the shortcut on every eligible GET route of the given cached methods. `controllers` are
   * all the app's controller classes: Nest names each route handler `<Controller>.<method>` (the
   * handler of a route with path parameters is Nest's wrapper, without the method's metadata), so
   * a route is matched to its method by that name, only where the name is unambiguous.
   */
  install(methods: readonly CachedMethod[], controllers: readonly Type[]): FastPathReport {
    const report: FastPathReport = { served: [], skipped: [] };
    const classesByName = new Map<string, Set<Type>>();
    for (const controller of controllers)
      classesByName.set(controller.name, (classesByName.get(controller.name) ?? new Set()).add(controller));
    const byHandlerName = new Map(methods.map((m) => [`${m.controller.name}.${m.name}`, m]));
    const appBlockers = this.appLevelBlockers();
    const lookup = this.contexts as unknown as NestGuardLookup;
    const guardsOf = lookup.guardsContextCreator?.create?.bind(lookup.guardsContextCreator);
    const moduleKeyOf = lookup.getContextModuleKey?.bind(lookup);
    if (!guardsOf || !moduleKeyOf) appBlockers.push("Nest's guard list for a route could not be read");
    for (const route of this.routes.list()) {
      if (route.method !== 'GET') continue;
      const cached = byHandlerName.get((route.handler as { name?: unknown }).name as string);
      if (!cached) continue;
      const where = `${cached.controller.name}.${cached.name} (GET ${route.url})`;
      const blockers = [...appBlockers, ...routeBlockers(cached)];
      if ((classesByName.get(cached.controller.name)?.size ?? 0) > 1)
        blockers.push(`several controllers are named ${cached.controller.name}`);
      if (!SIMPLE_ROUTE.test(route.url)) blockers.push('path parameters other than whole :name segments');
      if (blockers.length) {
        report.skipped.push(`${where}: ${blockers.join('; ')}`);
        continue;
      }
      const guards = guardsOf!(cached.instance, cached.method, moduleKeyOf!(cached.instance.constructor as Type));
      this.routes.setShortcut(route, this.shortcutFor(route, cached, guards));
      report.served.push(where);
    }
    return report;
  }

  private shortcutFor(route: HttpRoute, cached: CachedMethod, guards: readonly CanActivate[]): RouteShortcut {
    const { policy, instance, method } = cached;
    const controller = instance.constructor as Type;
    const keys = new RecentKeys();
    const keyOf = (request: FastifyRequest): string | null => {
      const params = (request.params ?? {}) as Record<string, string>;
      // Nest answers 404 for an empty path parameter (before guards): leave that to Nest.
      for (const name in params) if (params[name] === '') return null;
      const { query, undeclared } = normalizeQuery(request.query as RawQuery, policy.query);
      if (undeclared.length > 0 && policy.undeclaredQuery === 'bypass') return null;
      return routeCacheKey({
        namespace: this.namespace,
        route: route.url,
        params,
        query,
        vary: normalizeVary(request.headers, policy.varyBy),
        principal: undefined,
      });
    };
    return (request, reply) => {
      // The raw URL (path and query) and the raw values of the vary headers determine the key: what was
      // computed for them once is reused (the route is fixed, the rest is a pure function of these).
      const signature = signatureOf(request, policy.varyBy);
      let key = keys.get(signature);
      if (key === undefined) {
        key = keyOf(request);
        keys.remember(signature, key);
      }
      if (key === null) return false;
      const entry = this.cache.peekFresh<unknown>(key);
      if (!entry || !isCachedResponse(entry.value)) return false;
      const hit = entry as CacheEntry<CachedResponse>;
      // The execution context Nest's router builds for this route: its guards read the same metadata and names.
      const context = new ExecutionContextHost([request, reply], controller, method);
      context.setType('http');
      const activated = runGuards(guards, context);
      if (activated === true) {
        this.send(request, reply, policy, hit);
        return true;
      }
      return activated.then(() => this.send(request, reply, policy, hit));
    };
  }

  /** Sends a hit, once the guards let the request through. */
  private send(request: FastifyRequest, reply: FastifyReply, policy: CachePolicy, entry: CacheEntry<CachedResponse>): void {
    this.cache.countHit();
    const prepared = this.prepare(entry, policy);
    for (const [name, value] of prepared.replayed) RequestContext.setResponseHeader(name, value);
    // The same reply metadata as the interceptor's answer to a hit: the onSend hook turns it into headers (and 304s).
    setReplyMeta(request, {
      status: 'HIT',
      etag: prepared.etag,
      vary: policy.varyBy,
      cacheControl: prepared.cacheControl,
      ageSeconds: Math.max(0, Math.floor((this.cache.clock() - entry.storedAt) / 1000)),
      stale: false,
    });
    void reply.header('content-type', JSON_TYPE).send(prepared.body);
  }

  private prepare(entry: CacheEntry<CachedResponse>, policy: CachePolicy): Prepared {
    let prepared = this.prepared.get(entry);
    if (!prepared) {
      const { body, etag, headers } = entry.value;
      const replayed = Object.entries(headers);
      prepared = {
        body: Buffer.from(body, 'utf8'),
        etag,
        replayed,
        cacheControl: cacheControlFor(policy, { uncacheable: replayed.length > 0 && !policy.cacheDegraded, authenticated: false }),
      };
      this.prepared.set(entry, prepared);
    }
    return prepared;
  }

  /**
   * What the app registered globally that would run on a hit and that the fast path cannot replay:
   * an interceptor other than the route cache's, an exception filter other than core's, or a
   * request-scoped enhancer (the fast path runs the static global guards only). Found through
   * the providers Nest keeps for APP_* enhancers; if the cache's own interceptor is not among them,
   * that lookup is not trustworthy and the fast path stays off.
   */
  private appLevelBlockers(): string[] {
    const blockers: string[] = [];
    let ownInterceptor = 0;
    for (const module of this.modules.values()) {
      for (const wrapper of [...module.providers.values(), ...module.injectables.values()]) {
        const token = wrapper.token;
        if (typeof token !== 'string') continue;
        const kind = token.startsWith(APP_INTERCEPTOR)
          ? 'interceptor'
          : token.startsWith(APP_FILTER)
            ? 'exception filter'
            : token.startsWith(APP_GUARD)
              ? 'guard'
              : undefined;
        if (!kind) continue;
        if (!wrapper.isDependencyTreeStatic()) {
          blockers.push(`request-scoped global ${kind} ${wrapper.name}`);
          continue;
        }
        const instance: unknown = wrapper.instance;
        const name = (instance as object | null)?.constructor?.name ?? String(wrapper.name);
        if (kind === 'interceptor') {
          if (instance instanceof RouteCacheInterceptor) ownInterceptor++;
          else blockers.push(`global interceptor ${name}`);
        } else if (kind === 'exception filter' && !(instance instanceof ProblemDetailsFilter)) {
          blockers.push(`global exception filter ${name}`);
        }
      }
    }
    if (ownInterceptor !== 1) blockers.push('the global interceptors could not be determined');
    return blockers;
  }
}

/** The request's raw URL and vary header values, as one string (`\n` cannot occur in either). */
function signatureOf(request: FastifyRequest, varyBy: readonly string[]): string {
  let signature = request.url;
  for (const name of varyBy) {
    const value = request.headers[name];
    signature += `\n${value === undefined ? '' : Array.isArray(value) ? value.join('\n\n') : value}`;
  }
  return signature;
}

/**
 * Request signature → cache key (`null`: not answered from the cache), for the most recent signatures of one
 * route. Bounded in count (cleared when full: the hot signatures come back at once) and in size (a longer
 * signature is not remembered; its key is computed on every request), so at most about 4 MB per route.
 */
class RecentKeys {
  private static readonly MAX_ENTRIES = 4096;
  private static readonly MAX_SIGNATURE_LENGTH = 512;
  private readonly keys = new Map<string, string | null>();

  get(signature: string): string | null | undefined {
    return this.keys.get(signature);
  }

  remember(signature: string, key: string | null): void {
    if (signature.length > RecentKeys.MAX_SIGNATURE_LENGTH) return;
    if (this.keys.size >= RecentKeys.MAX_ENTRIES) this.keys.clear();
    this.keys.set(signature, key);
  }
}

/** Why Nest would run something on a hit of this route that the fast path does not. */
function routeBlockers({ controller, method, policy }: CachedMethod): string[] {
  const blockers: string[] = [];
  if (policy.scope !== 'public') blockers.push(`scope '${policy.scope}'`);
  const access = (Reflect.getMetadata(ROUTE_ACCESS, method) ?? Reflect.getMetadata(ROUTE_ACCESS, controller)) as RouteAccess | undefined;
  if (access?.mode !== 'public') blockers.push('not @Public');
  for (const [key, decorator] of ROUTE_LEVEL_BLOCKERS) {
    if (hasEntries(Reflect.getMetadata(key, method)) || hasEntries(Reflect.getMetadata(key, controller))) blockers.push(decorator);
  }
  for (const [key, decorator] of METHOD_LEVEL_BLOCKERS) {
    if (Reflect.getMetadata(key, method) !== undefined) blockers.push(decorator);
  }
  return blockers;
}

function hasEntries(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined;
}
