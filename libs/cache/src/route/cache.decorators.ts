import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

import { ApiLanguageHeaders, ApiSuccessHeaders, type HeaderSpec } from '@bff/core';

import { CACHED_ROUTE, CREDENTIAL_HEADERS } from '../cache.constants.js';

/**
 * Who a cached response may be served to.
 * - `public`: everyone; the response must not depend on the caller. Shared caches (CDN, browser) may keep it.
 * - `user`: only the same user (identity.subject of the verified identity); `Cache-Control: private, no-cache`.
 * - `partner`: only the same partner (identity.partnerId); `Cache-Control: private, no-cache`.
 */
export type CacheScope = 'public' | 'user' | 'partner';

/** What a tag function sees: the raw path parameters and query of the request. */
export interface CacheTagContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface CachedOptions {
  /** Seconds a stored response is served as fresh (may be fractional; Cache-Control rounds down). */
  readonly ttl: number;
  /** Default 'public'. See CacheScope and docs/caching.md for how to choose. */
  readonly scope?: CacheScope;
  /** Seconds after `ttl` during which the stale response is served at once while one background refresh runs. */
  readonly staleWhileRevalidate?: number;
  /** Seconds after `ttl` during which the last good response is served (marked stale) when computing fails. */
  readonly staleIfError?: number;
  /** Request headers the response depends on (e.g. 'accept-language'): part of the key and of `Vary`. */
  readonly varyBy?: readonly string[];
  /**
   * Invalidation tags: strings where `{name}` is replaced by the path parameter `name`
   * (e.g. 'product:{id}'), or a function of the request's params and query.
   */
  readonly tags?: readonly string[] | ((request: CacheTagContext) => readonly string[]);
  /** Query parameters that select the response (the allowlist). Others are dropped from the key. Default: none. */
  readonly query?: readonly string[];
  /**
   * What a request carrying a query parameter outside `query` does. `ignore` (default): the parameter
   * is dropped from the key (cache-busting parameters cannot multiply entries). `bypass`: the cache is
   * skipped for that request, so the route's validation still rejects unknown parameters.
   */
  readonly undeclaredQuery?: 'ignore' | 'bypass';
  /** Store responses with degraded or stale sections too (default false: they are served, never stored). */
  readonly cacheDegraded?: boolean;
  /**
   * Acknowledges `scope: 'public'` on a @Protected route: the response is the same for every caller
   * allowed in, so one caller's response may be served to another. Without it such a route fails the boot.
   */
  readonly sharedAcrossIdentities?: boolean;
}

/** The normalized policy stored as route metadata. */
export interface CachePolicy {
  readonly ttlMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  readonly scope: CacheScope;
  /** Lowercased, sorted, unique. */
  readonly varyBy: readonly string[];
  readonly tags: CachedOptions['tags'];
  /** Sorted, unique. */
  readonly query: readonly string[];
  readonly undeclaredQuery: 'ignore' | 'bypass';
  readonly cacheDegraded: boolean;
  readonly sharedAcrossIdentities: boolean;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

const seconds = (name: string, value: number | undefined, positive: boolean): number => {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new Error(`@Cached: ${name} must be a ${positive ? 'positive' : 'non-negative'} number of seconds`);
  }
  return Math.round(value * 1000);
};

/** Validates and normalizes @Cached options; throws on a misconfiguration (at import time of the controller). */
export function toCachePolicy(options: CachedOptions): CachePolicy {
  const scope = options.scope ?? 'public';
  if (!['public', 'user', 'partner'].includes(scope)) throw new Error(`@Cached: unknown scope '${String(scope)}'`);
  const varyBy = [...new Set((options.varyBy ?? []).map((h) => h.toLowerCase()))].sort();
  for (const header of varyBy) {
    if (!HEADER_NAME.test(header)) throw new Error(`@Cached: '${header}' is not a header name`);
    if ((CREDENTIAL_HEADERS as readonly string[]).includes(header)) {
      throw new Error(
        `@Cached: do not vary on the credential header '${header}'; use scope 'user' or 'partner' (keyed by the verified identity)`,
      );
    }
  }
  const query = [...new Set(options.query ?? [])].sort();
  if (options.sharedAcrossIdentities && scope !== 'public')
    throw new Error(`@Cached: sharedAcrossIdentities only applies to scope 'public'`);
  return {
    ttlMs: seconds('ttl', options.ttl, true),
    staleWhileRevalidateMs: seconds('staleWhileRevalidate', options.staleWhileRevalidate, false),
    staleIfErrorMs: seconds('staleIfError', options.staleIfError, false),
    scope,
    varyBy,
    tags: options.tags,
    query,
    undeclaredQuery: options.undeclaredQuery ?? 'ignore',
    cacheDegraded: options.cacheDegraded ?? false,
    sharedAcrossIdentities: options.sharedAcrossIdentities ?? false,
  };
}

/**
 * Caches a GET route's JSON response (see docs/caching.md). Applied by the global interceptor that
 * CacheModule.forRoot registers; the interceptor runs after the access guard, so the key of a `user`
 * or `partner` route includes the verified identity. Only 200 responses are stored.
 *
 * ```ts
 * @Get('product/:id')
 * @Public('Product pages are public catalogue content')
 * @Cached({ ttl: 5, staleWhileRevalidate: 30, staleIfError: 300, tags: ['product:{id}'] })
 * ```
 */
export const Cached = (options: CachedOptions): MethodDecorator => {
  const policy = toCachePolicy(options);
  const localized = policy.varyBy.includes('accept-language');
  return applyDecorators(
    SetMetadata(CACHED_ROUTE, policy),
    ApiSuccessHeaders(CACHE_HEADERS),
    ApiResponse({ status: 304, description: 'Not modified: If-None-Match names the current ETag (empty body).' }),
    ...(localized ? [ApiLanguageHeaders()] : []),
  );
};

/** Headers the cache's reply hook puts on a cached route's successful answers (see installCacheReplyHook). */
const CACHE_HEADERS: Record<string, HeaderSpec> = {
  'X-Cache': {
    description: 'How the route cache answered.',
    required: true,
    schema: { type: 'string', enum: ['HIT', 'MISS', 'STALE', 'BYPASS'] },
  },
  ETag: {
    description: 'Strong validator of the JSON body; send it back in If-None-Match.',
    schema: { type: 'string', pattern: '^"[^"]+"$' },
  },
  'Cache-Control': { description: 'Freshness for browsers and shared caches, by the route policy and scope.', schema: { type: 'string' } },
  Vary: { description: 'Request headers the answer depends on.', schema: { type: 'string' } },
  Age: {
    description: 'Seconds since the stored answer was computed (answers served from the cache).',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'X-Cache-Stale': {
    description: '`1` when the answer is a stale copy served because refreshing it failed.',
    schema: { type: 'string', enum: ['1'] },
  },
};
