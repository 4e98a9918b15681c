import { Injectable, Optional } from '@nestjs/common';

import { MetricsService } from '@bff/core';

import { CacheService } from './cache.service.js';
import { HttpResponseCache } from './upstream/http-response.cache.js';

/** The `cache` label: the response cache (routes, section fallback, CacheService.wrap) and the upstream HTTP cache. */
const RESPONSES = 'responses';
const UPSTREAM_HTTP = 'upstream-http';

/**
 * The cache series (docs/operations.md, "Metrics"), read at scrape time from the counters the cache
 * keeps anyway (CacheService.counters, HttpResponseCache.counters, the store's status): lookups by
 * outcome, coalesced waiters, L1/L2 hits, Redis errors, background refreshes, memory use and Redis
 * availability. Nothing is added to the cache's hot path.
 */
@Injectable()
export class CacheMetrics {
  constructor(cache: CacheService, http: HttpResponseCache, @Optional() metrics?: MetricsService) {
    if (!metrics) return;
    metrics.countersFrom(
      {
        name: 'bff_cache_lookups_total',
        help: 'Cache lookups by cache and outcome (hit, miss, stale: served while revalidating, stale_if_error: served after a failure).',
        labelNames: ['cache', 'outcome'],
      },
      () => {
        const own = cache.counters();
        const upstream = http.counters();
        return [
          [{ cache: RESPONSES, outcome: 'hit' }, own.hits + own.coalescedRemote],
          [{ cache: RESPONSES, outcome: 'miss' }, own.misses],
          [{ cache: RESPONSES, outcome: 'stale' }, own.stale],
          [{ cache: RESPONSES, outcome: 'stale_if_error' }, own.staleIfError],
          [{ cache: UPSTREAM_HTTP, outcome: 'hit' }, upstream.hits],
          [{ cache: UPSTREAM_HTTP, outcome: 'miss' }, upstream.misses],
          [{ cache: UPSTREAM_HTTP, outcome: 'stale_if_error' }, upstream.staleIfError],
        ];
      },
    );
    metrics.countersFrom(
      {
        name: 'bff_cache_coalesced_total',
        help: 'Lookups that waited for a computation already running: in this instance (local) or in another one (remote, Redis lease).',
        labelNames: ['scope'],
      },
      () => {
        const own = cache.counters();
        return [
          [{ scope: 'local' }, own.coalesced],
          [{ scope: 'remote' }, own.coalescedRemote],
        ];
      },
    );
    metrics.countersFrom(
      {
        name: 'bff_cache_tier_hits_total',
        help: 'Store reads answered by a tier: l1 (this instance memory) or l2 (Redis).',
        labelNames: ['tier'],
      },
      () => {
        const store = cache.store.counters();
        return [
          [{ tier: 'l1' }, store.memoryHits],
          [{ tier: 'l2' }, store.redisHits],
        ];
      },
    );
    metrics.countersFrom({ name: 'bff_cache_store_misses_total', help: 'Store reads that found no usable entry in any tier.' }, () => [
      [{}, cache.store.counters().misses],
    ]);
    metrics.countersFrom(
      {
        name: 'bff_cache_redis_errors_total',
        help: 'Redis operations of the cache that failed or found Redis unavailable (served as misses).',
      },
      () => [[{}, cache.store.counters().redisFailures]],
    );
    metrics.countersFrom(
      {
        name: 'bff_cache_refreshes_total',
        help: 'Background refreshes of stale entries, by outcome (ok, failed).',
        labelNames: ['outcome'],
      },
      () => {
        const own = cache.counters();
        return [
          [{ outcome: 'ok' }, own.refreshes],
          [{ outcome: 'failed' }, own.refreshFailures],
        ];
      },
    );
    metrics.countersFrom(
      { name: 'bff_cache_upstream_revalidations_total', help: 'Upstream HTTP cache revalidations answered 304 Not Modified.' },
      () => [[{}, http.counters().revalidations]],
    );
    metrics.gauge({
      name: 'bff_cache_memory_entries',
      help: 'Entries in this instance memory tier (L1).',
      collect() {
        this.set(cache.status().memory.entries);
      },
    });
    metrics.gauge({
      name: 'bff_cache_memory_bytes',
      help: 'Approximate bytes held by this instance memory tier (L1).',
      collect() {
        this.set(cache.status().memory.bytes);
      },
    });
    metrics.gauge({
      name: 'bff_cache_redis_up',
      help: '1 when the cache Redis (L2) answers, 0 when it is unavailable; absent without Redis.',
      collect() {
        const redis = cache.status().redis;
        if (redis !== undefined) this.set(redis === 'ready' ? 1 : 0);
      },
    });
  }
}
