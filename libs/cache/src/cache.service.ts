import { Inject, Injectable, Logger } from '@nestjs/common';

import { RequestContext } from '@bff/core';

import { CACHE_CONFIG, CACHE_NAME_PATTERN, CACHE_STORE } from './cache.constants.js';
import { CacheEnv } from './cache.env.js';
import type { CacheEntry } from './stores/entry.js';
import type { CacheStore, InvalidationResult, SharedOutcome, StoreStatus } from './stores/store.types.js';
import { WarnLimiter } from './warn-limiter.js';

/** How a value was obtained. */
export type CacheOutcome = 'HIT' | 'MISS' | 'STALE';

export interface Resolved<T> {
  readonly value: T;
  readonly outcome: CacheOutcome;
  /** When the served value was computed (epoch ms). */
  readonly storedAt: number;
  /** For STALE: why a stale value was served. */
  readonly staleReason?: 'revalidating' | 'error';
  /** Whether this computation was stored (MISS only). */
  readonly stored: boolean;
}

export interface ResolvePolicy<T> {
  readonly ttlMs: number;
  readonly staleWhileRevalidateMs: number;
  readonly staleIfErrorMs: number;
  readonly tags: readonly string[];
  /** Whether a freshly computed value may be stored (default: always). */
  readonly shouldStore?: (value: T) => boolean;
  /** Short label for logs (e.g. the route pattern), never user data. */
  readonly label?: string;
}

/** Options of CacheService.wrap, in seconds like @Cached. */
export interface WrapOptions {
  readonly ttl: number;
  readonly staleWhileRevalidate?: number;
  readonly staleIfError?: number;
  readonly tags?: readonly string[];
}

export interface CacheCounters {
  hits: number;
  misses: number;
  stale: number;
  staleIfError: number;
  /** Requests that joined a computation already running in this instance. */
  coalesced: number;
  /** Requests answered by another instance's computation (Redis lease). */
  coalescedRemote: number;
  refreshes: number;
  refreshFailures: number;
}

/** Key prefixes owned by the platform; CacheService.wrap refuses them. */
const RESERVED_PREFIXES = ['rt:', 'up:', 'sf:', 'tag:', 'lock:', 'invalidate'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The cache engine shared by route caching, section fallback, the upstream HTTP cache and
 * application code: fresh/stale windows, stale-while-revalidate with one background refresh,
 * stale-if-error, in-process single-flight, and a Redis lease so one instance computes for all.
 * It never fails because of the cache: store failures behave as misses.
 */
@Injectable()
export class CacheService {
  private readonly logger = new Logger('Cache');
  private readonly warnings: WarnLimiter;
  private readonly inflight = new Map<string, Promise<Resolved<unknown>>>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly stats: CacheCounters = {
    hits: 0,
    misses: 0,
    stale: 0,
    staleIfError: 0,
    coalesced: 0,
    coalescedRemote: 0,
    refreshes: 0,
    refreshFailures: 0,
  };
  /** Clock for entry timing (epoch ms); replaceable in tests. */
  clock: () => number = Date.now;

  constructor(
    @Inject(CACHE_STORE) readonly store: CacheStore,
    @Inject(CACHE_CONFIG) private readonly env: CacheEnv,
  ) {
    this.warnings = new WarnLimiter(this.logger, env.CACHE_WARN_INTERVAL_MS);
  }

  get enabled(): boolean {
    return this.env.CACHE_ENABLED;
  }

  /**
   * Returns the cached value for `key`, or computes, stores and returns it. Concurrent misses on one
   * key run `compute` once per instance, and (with Redis) once across instances while the lease holds.
   */
  async resolve<T>(key: string, compute: () => Promise<T>, policy: ResolvePolicy<T>): Promise<Resolved<T>> {
    if (!this.enabled) return { value: await compute(), outcome: 'MISS', storedAt: this.clock(), stored: false };
    const entry = (await this.store.get(key)) as CacheEntry<T> | undefined;
    const now = this.clock();
    if (entry && now < entry.freshUntil) {
      this.stats.hits++;
      return { value: entry.value, outcome: 'HIT', storedAt: entry.storedAt, stored: false };
    }
    if (entry && now < entry.freshUntil + policy.staleWhileRevalidateMs) {
      this.stats.stale++;
      this.refreshInBackground(key, compute, policy);
      return { value: entry.value, outcome: 'STALE', staleReason: 'revalidating', storedAt: entry.storedAt, stored: false };
    }
    const running = this.inflight.get(key) as Promise<Resolved<T>> | undefined;
    if (running) {
      this.stats.coalesced++;
      return running;
    }
    const flight = this.computeOnce(key, compute, policy, entry).finally(() => this.inflight.delete(key));
    this.inflight.set(key, flight);
    return flight;
  }

  /**
   * Application-level caching of any JSON value under an explicit key (not starting with a reserved
   * prefix: rt:, up:, sf:, tag:, lock:). Times in seconds.
   */
  async wrap<T>(key: string, compute: () => Promise<T>, options: WrapOptions): Promise<T> {
    assertUserKey(key);
    const resolved = await this.resolve(key, compute, {
      ttlMs: Math.round(options.ttl * 1000),
      staleWhileRevalidateMs: Math.round((options.staleWhileRevalidate ?? 0) * 1000),
      staleIfErrorMs: Math.round((options.staleIfError ?? 0) * 1000),
      tags: options.tags ?? [],
    });
    return resolved.value;
  }

  /** Removes one entry (memory, Redis, and other instances' memory). */
  invalidateKey(key: string): Promise<InvalidationResult> {
    return this.invalidateKeys([key]);
  }

  invalidateKeys(keys: readonly string[]): Promise<InvalidationResult> {
    const valid = keys.filter((k) => CACHE_NAME_PATTERN.test(k));
    if (valid.length === 0) return Promise.resolve({ removed: 0, shared: this.store.kind === 'memory' ? 'none' : 'ok' });
    return this.store.delete(valid);
  }

  /** Removes every entry carrying one of the tags, e.g. `invalidateTags(['product:p-00001'])`. */
  invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    const valid = tags.filter((t) => CACHE_NAME_PATTERN.test(t));
    if (valid.length === 0) return Promise.resolve({ removed: 0, shared: this.store.kind === 'memory' ? 'none' : 'ok' });
    return this.store.invalidateTags(valid);
  }

  /** Writes an entry directly (section fallback, upstream HTTP cache). */
  put(key: string, entry: CacheEntry): Promise<SharedOutcome> {
    if (!this.enabled) return Promise.resolve('none');
    return this.store.set(key, entry);
  }

  /** Reads an entry directly, whatever its freshness. */
  async peek<T>(key: string): Promise<CacheEntry<T> | undefined> {
    if (!this.enabled) return undefined;
    return (await this.store.get(key)) as CacheEntry<T> | undefined;
  }

  /**
   * A fresh entry from this instance's memory, synchronously (see CacheStore.peekMemory: shared,
   * read-only), for answering a hit without the async path; undefined otherwise (absent, stale,
   * only in Redis: resolve() handles those). Not counted until countHit().
   */
  peekFresh<T>(key: string): CacheEntry<T> | undefined {
    if (!this.enabled) return undefined;
    const entry = this.store.peekMemory(key) as CacheEntry<T> | undefined;
    return entry && this.clock() < entry.freshUntil ? entry : undefined;
  }

  /** Counts a hit answered from peekFresh(). */
  countHit(): void {
    this.stats.hits++;
    this.store.countMemoryHit();
  }

  /** Builds an entry computed now. */
  entry<T>(value: T, ttlMs: number, keepMs: number, tags: readonly string[]): CacheEntry<T> {
    const now = this.clock();
    return { value, storedAt: now, freshUntil: now + ttlMs, expiresAt: now + ttlMs + Math.max(0, keepMs), tags };
  }

  status(): StoreStatus & { readonly enabled: boolean } {
    return { enabled: this.enabled, ...this.store.status() };
  }

  counters(): Readonly<CacheCounters & { store: ReturnType<CacheStore['counters']> }> {
    return { ...this.stats, store: this.store.counters() };
  }

  /** Resolves once every background refresh started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.refreshing.size || this.inflight.size) {
      await Promise.allSettled([...this.refreshing.values(), ...this.inflight.values()]);
    }
  }

  warn(kind: string, message: string): void {
    this.warnings.warn(kind, message);
  }

  private async computeOnce<T>(
    key: string,
    compute: () => Promise<T>,
    policy: ResolvePolicy<T>,
    seen: CacheEntry<T> | undefined,
  ): Promise<Resolved<T>> {
    // Another flight, or another instance, may have stored it since our first read.
    const again = (await this.store.get(key, { skipMemory: true })) as CacheEntry<T> | undefined;
    if (again && this.clock() < again.freshUntil) {
      this.stats.hits++;
      return { value: again.value, outcome: 'HIT', storedAt: again.storedAt, stored: false };
    }
    const fallback = newest(again, seen);
    const lease = await this.store.acquireLease(key, this.env.CACHE_LOCK_TTL_MS);
    if (lease.state === 'held') {
      const other = (await this.waitForOtherInstance(key)) as CacheEntry<T> | undefined;
      if (other) {
        this.stats.coalescedRemote++;
        return { value: other.value, outcome: 'HIT', storedAt: other.storedAt, stored: false };
      }
    }
    try {
      return await this.computeAndStore(key, compute, policy, fallback);
    } finally {
      if (lease.state === 'acquired') void lease.release();
    }
  }

  private async computeAndStore<T>(
    key: string,
    compute: () => Promise<T>,
    policy: ResolvePolicy<T>,
    fallback: CacheEntry<T> | undefined,
  ): Promise<Resolved<T>> {
    let value: T;
    try {
      value = await compute();
    } catch (error) {
      if (fallback && this.clock() < fallback.freshUntil + policy.staleIfErrorMs) {
        this.stats.staleIfError++;
        this.warnings.warn(
          `stale-if-error:${policy.label ?? ''}`,
          `Serving a stale cached response${policy.label ? ` for ${policy.label}` : ''} after a failure: ${error instanceof Error ? error.message : String(error)}`,
        );
        return { value: fallback.value, outcome: 'STALE', staleReason: 'error', storedAt: fallback.storedAt, stored: false };
      }
      throw error;
    }
    this.stats.misses++;
    const store = policy.shouldStore ? policy.shouldStore(value) : true;
    const now = this.clock();
    if (store) await this.write(key, value, policy);
    return { value, outcome: 'MISS', storedAt: now, stored: store };
  }

  private async write<T>(key: string, value: T, policy: ResolvePolicy<T>): Promise<void> {
    try {
      await this.store.set(
        key,
        this.entry(value, policy.ttlMs, Math.max(policy.staleWhileRevalidateMs, policy.staleIfErrorMs), policy.tags),
      );
    } catch (error) {
      // A value that cannot be serialized is a programming error; the response still goes out.
      this.warnings.warn(
        `write:${policy.label ?? ''}`,
        `Could not cache a value${policy.label ? ` for ${policy.label}` : ''}: ${String(error)}`,
      );
    }
  }

  /**
   * Another instance holds the lease: poll Redis (5 ms doubling to 100 ms) until its value lands, it
   * gives up the lease, or the bounded wait (CACHE_LOCK_WAIT_MS, at most half the request's
   * remaining budget) runs out. Undefined means: compute it ourselves.
   */
  private async waitForOtherInstance(key: string): Promise<CacheEntry | undefined> {
    const remaining = RequestContext.remainingBudgetMs();
    const budget = Math.min(this.env.CACHE_LOCK_WAIT_MS, remaining === undefined ? Number.POSITIVE_INFINITY : remaining / 2);
    const until = performance.now() + budget;
    let delay = 5;
    while (performance.now() < until) {
      await sleep(Math.min(delay, Math.max(1, until - performance.now())));
      delay = Math.min(delay * 2, 100);
      const poll = await this.store.pollShared(key);
      if (!poll) return undefined;
      if (poll.entry && this.clock() < poll.entry.freshUntil) return poll.entry;
      if (!poll.leaseHeld) {
        // Released between our two reads, or the holder stored nothing (failure, degraded answer).
        const last = await this.store.get(key, { skipMemory: true });
        return last && this.clock() < last.freshUntil ? last : undefined;
      }
    }
    return undefined;
  }

  /** One refresh per key and instance; with Redis, one per key across instances (the lease). */
  private refreshInBackground<T>(key: string, compute: () => Promise<T>, policy: ResolvePolicy<T>): void {
    if (this.refreshing.has(key)) return;
    const run = async (): Promise<void> => {
      const lease = await this.store.acquireLease(key, this.env.CACHE_LOCK_TTL_MS);
      if (lease.state === 'held') return;
      try {
        const current = await this.store.get(key, { skipMemory: true });
        if (current && this.clock() < current.freshUntil) return;
        const value = await compute();
        this.stats.refreshes++;
        if (!policy.shouldStore || policy.shouldStore(value)) await this.write(key, value, policy);
      } catch (error) {
        this.stats.refreshFailures++;
        this.warnings.warn(
          `refresh:${policy.label ?? ''}`,
          `Background refresh${policy.label ? ` of ${policy.label}` : ''} failed; the stale value is kept: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        if (lease.state === 'acquired') void lease.release();
      }
    };
    const task = run().finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, task);
  }
}

function newest<T>(first: CacheEntry<T> | undefined, second: CacheEntry<T> | undefined): CacheEntry<T> | undefined {
  if (!first) return second;
  if (!second) return first;
  return first.storedAt >= second.storedAt ? first : second;
}

function assertUserKey(key: string): void {
  if (!CACHE_NAME_PATTERN.test(key)) throw new Error(`Invalid cache key '${key}'`);
  if (RESERVED_PREFIXES.some((p) => key.startsWith(p)))
    throw new Error(`Cache key '${key}' uses a reserved prefix (${RESERVED_PREFIXES.join(', ')})`);
}
