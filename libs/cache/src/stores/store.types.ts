import type { CacheEntry } from './entry.js';

/** What happened to the shared tier (Redis) during a write or an invalidation. */
export type SharedOutcome = 'ok' | 'unavailable' | 'none';

export interface InvalidationResult {
  /** Entries removed (memory and Redis; an entry in both counts once per tier it was in). */
  readonly removed: number;
  /** `none`: memory-only store; `unavailable`: Redis could not be reached, only this instance was cleared. */
  readonly shared: SharedOutcome;
}

/**
 * Cross-instance computation lease. `acquired`: this instance computes and must release; `held`:
 * another instance computes, wait for its result (bounded); `local`: no shared tier (or it is
 * unavailable), in-process single-flight is all there is.
 */
export type Lease = { readonly state: 'acquired'; release(): Promise<void> } | { readonly state: 'held' } | { readonly state: 'local' };

/** One look at the shared tier while waiting for another instance's computation. */
export interface SharedPoll {
  readonly entry: CacheEntry | undefined;
  readonly leaseHeld: boolean;
}

export interface StoreStatus {
  readonly kind: 'memory' | 'tiered';
  /** `ready`: Redis answers; `unavailable`: disconnected or circuit open; absent for memory stores. */
  readonly redis?: 'ready' | 'unavailable';
  readonly memory: { readonly entries: number; readonly bytes: number };
}

export interface StoreCounters {
  memoryHits: number;
  redisHits: number;
  misses: number;
  corrupt: number;
  redisFailures: number;
}

/**
 * Where entries live. Every method resolves (never rejects) for infrastructure failures: a cache
 * that cannot be reached behaves as empty, and writes to it are dropped.
 */
export interface CacheStore {
  readonly kind: 'memory' | 'tiered';
  /** `skipMemory` reads the shared tier directly (re-checks before computing); memory stores ignore it. */
  get(key: string, options?: { readonly skipMemory?: boolean }): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): Promise<SharedOutcome>;
  delete(keys: readonly string[]): Promise<InvalidationResult>;
  invalidateTags(tags: readonly string[]): Promise<InvalidationResult>;
  acquireLease(key: string, ttlMs: number): Promise<Lease>;
  /** `undefined` when there is no usable shared tier. */
  pollShared(key: string): Promise<SharedPoll | undefined>;
  /**
   * This instance's memory copy of `key` (the L1 of a tiered store), synchronously: no network, and
   * decoded once per stored value. The entry is shared by every caller: treat it as read-only.
   * Undefined when it is not in memory, has expired or is corrupt. Not counted: a caller that uses
   * it calls countMemoryHit(), one that does not goes on to get().
   */
  peekMemory(key: string): CacheEntry | undefined;
  /** Counts a hit answered from peekMemory(). */
  countMemoryHit(): void;
  status(): StoreStatus;
  counters(): Readonly<StoreCounters>;
  /** Resolves once the shared tier is usable, or after `timeoutMs` (never rejects). */
  ready(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export const newCounters = (): StoreCounters => ({ memoryHits: 0, redisHits: 0, misses: 0, corrupt: 0, redisFailures: 0 });
