import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, lastValueFrom, map, type Observable } from 'rxjs';

import { identityOf, PlatformError, RequestContext } from '@bff/core';

import { CACHE_NAMESPACE, CACHED_ROUTE, CREDENTIAL_HEADERS, REPLAYED_HEADERS } from '../cache.constants.js';
import { CacheService, type Resolved } from '../cache.service.js';
import { mergeVary, strongEtag } from '../http/cache-control.js';
import type { CachePolicy } from './cache.decorators.js';
import type { CachedResponse } from './cached-response.js';
import { setReplyMeta } from './reply-meta.js';
import { normalizeQuery, normalizeVary, principalOf, renderTags, routeCacheKey, type RawQuery } from './route-key.js';

/**
 * Applies @Cached to GET/HEAD routes (registered globally by CacheModule.forRoot). Runs after the
 * access guard, so `user`/`partner` keys use the verified identity; a non-public route without
 * one is never cached. Only 200 JSON responses are stored; errors pass through untouched.
 */
@Injectable()
export class RouteCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly cache: CacheService,
    @Inject(CACHE_NAMESPACE) private readonly namespace: string,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const policy = this.reflector.get<CachePolicy | undefined>(CACHED_ROUTE, context.getHandler());
    if (!policy) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const language = policy.varyBy.includes('accept-language') ? RequestContext.current()?.language : undefined;
    // The answer is in the negotiated language, cached or not; shared caches must key on the header too.
    if (language) void reply.header('content-language', language);
    if (!this.cache.enabled) {
      if (policy.varyBy.length) void reply.header('vary', mergeVary(reply.getHeader('vary'), policy.varyBy));
      return next.handle();
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return next.handle();

    const publicScope = policy.scope === 'public';
    const vary = publicScope ? policy.varyBy : [...policy.varyBy, ...CREDENTIAL_HEADERS];
    const principal = principalOf(policy.scope, identityOf(request));
    const { query, undeclared } = normalizeQuery(request.query as RawQuery, policy.query);
    if ((!publicScope && principal === undefined) || (undeclared.length > 0 && policy.undeclaredQuery === 'bypass')) {
      // Fail safe: a caller-bound response without a verified caller is never stored nor shared.
      setReplyMeta(request, { status: 'BYPASS', vary, cacheControl: publicScope ? undefined : 'private, no-store' });
      return next.handle();
    }

    const route = request.routeOptions.url ?? request.url.split('?')[0];
    const params = (request.params ?? {}) as Record<string, string>;
    const key = routeCacheKey({
      namespace: this.namespace,
      route,
      params,
      query,
      // Keyed on the negotiated language, not the raw header: every spelling of a preference shares one entry,
      // and a de answer can never be stored under an en key.
      vary: normalizeVary(language ? { ...request.headers, 'accept-language': language } : request.headers, policy.varyBy),
      principal,
    });
    const tags = renderTags(policy, { params, query: request.query as RawQuery });
    const resolve = () =>
      this.cache.resolve<CachedResponse>(key, () => this.compute(next, reply), {
        ttlMs: policy.ttlMs,
        staleWhileRevalidateMs: policy.staleWhileRevalidateMs,
        staleIfErrorMs: policy.staleIfErrorMs,
        tags,
        shouldStore: (response) => policy.cacheDegraded || Object.keys(response.headers).length === 0,
        label: route,
      });
    return defer(resolve).pipe(map((resolved) => this.respond(request, reply, policy, vary, resolved)));
  }

  /** Runs the handler; what it put on the reply among REPLAYED_HEADERS is kept with the body. */
  private async compute(next: CallHandler, reply: FastifyReply): Promise<CachedResponse> {
    const value: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
    const body = value === undefined ? undefined : JSON.stringify(value);
    if (typeof body !== 'string') {
      throw new PlatformError('internal', 'CACHE_UNSERIALIZABLE', '@Cached route returned a value that is not JSON');
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    return { body, etag: strongEtag(body), headers };
  }

  private respond(
    request: FastifyRequest,
    reply: FastifyReply,
    policy: CachePolicy,
    vary: readonly string[],
    resolved: Resolved<CachedResponse>,
  ): string {
    const { body, etag, headers } = resolved.value;
    void reply.headers(headers);
    const degraded = Object.keys(headers).length > 0;
    setReplyMeta(request, {
      status: resolved.outcome,
      etag,
      vary,
      cacheControl: cacheControlFor(policy, {
        uncacheable: degraded && !policy.cacheDegraded,
        authenticated: identityOf(request) !== undefined,
      }),
      ageSeconds: resolved.outcome === 'MISS' ? undefined : Math.max(0, Math.floor((this.cache.clock() - resolved.storedAt) / 1000)),
      stale: resolved.outcome === 'STALE',
    });
    return body;
  }
}

/**
 * Cache-Control toward clients. Public responses may be kept by shared caches (CDN, proxies), except
 * on authenticated routes (scope 'public' with sharedAcrossIdentities): a shared cache would hand them
 * to callers the access guard never saw, so they are `private` there. Caller-bound responses are
 * private and revalidated (ETag) on every use.
 */
export function cacheControlFor(policy: CachePolicy, response: { readonly uncacheable: boolean; readonly authenticated: boolean }): string {
  if (policy.scope !== 'public') return 'private, no-cache';
  const visibility = response.authenticated ? 'private' : 'public';
  if (response.uncacheable) return `${visibility}, no-cache`;
  const parts = [visibility, `max-age=${Math.floor(policy.ttlMs / 1000)}`];
  if (policy.staleWhileRevalidateMs >= 1000) parts.push(`stale-while-revalidate=${Math.floor(policy.staleWhileRevalidateMs / 1000)}`);
  if (policy.staleIfErrorMs >= 1000) parts.push(`stale-if-error=${Math.floor(policy.staleIfErrorMs / 1000)}`);
  return parts.join(', ');
}
