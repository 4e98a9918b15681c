import { Inject, Injectable } from '@nestjs/common';

import { RequestContext } from '@bff/core';
import type { SectionFallbackStore } from '@bff/upstream';

import { CACHE_CONFIG, CACHE_NAME_PATTERN, CACHE_NAMESPACE } from './cache.constants.js';
import { CacheEnv } from './cache.env.js';
import { CacheService } from './cache.service.js';

/**
 * Stale-if-error for aggregation sections: every successful section with a `fallbackKey` is
 * remembered (memory, and Redis when configured) for CACHE_SECTION_FALLBACK_TTL_S; when the section
 * fails, the Aggregator serves that last good value and lists it in `meta.stale` and
 * `X-Stale-Sections`. Each remembered value is tagged with its fallback key, so
 * `invalidateTags(['product:p-00001'])` forgets it too. Provided globally under SECTION_FALLBACK.
 */
@Injectable()
export class CacheSectionFallbackStore implements SectionFallbackStore {
  constructor(
    private readonly cache: CacheService,
    @Inject(CACHE_CONFIG) private readonly env: CacheEnv,
    @Inject(CACHE_NAMESPACE) private readonly namespace: string,
  ) {}

  remember(key: string, value: unknown): void {
    if (!this.cache.enabled || !CACHE_NAME_PATTERN.test(key) || value === undefined) return;
    const ttlMs = this.env.CACHE_SECTION_FALLBACK_TTL_S * 1000;
    let entry;
    try {
      entry = this.cache.entry(value, 0, ttlMs, [key]);
      // Fire and forget: the response never waits for the fallback write.
      this.cache
        .put(this.storeKey(key), entry)
        .catch((error: unknown) => this.cache.warn('fallback-write', `Could not remember section value '${key}': ${String(error)}`));
    } catch (error) {
      this.cache.warn('fallback-write', `Could not remember section value '${key}': ${String(error)}`);
    }
  }

  async recall(key: string): Promise<{ value: unknown; storedAt: number } | undefined> {
    if (!this.cache.enabled || !CACHE_NAME_PATTERN.test(key)) return undefined;
    const entry = await this.cache.peek(this.storeKey(key));
    return entry ? { value: entry.value, storedAt: entry.storedAt } : undefined;
  }

  /**
   * The store key of a fallback key, per language sent upstream: a remembered product or category tree is in the
   * language it was fetched in, and is only ever served to a request negotiated to that language.
   */
  storeKey(key: string, language: string = RequestContext.current()?.propagated['accept-language'] ?? ''): string {
    return language ? `sf:${this.namespace}:${key}:${language}` : `sf:${this.namespace}:${key}`;
  }
}
