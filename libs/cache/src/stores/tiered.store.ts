import { randomUUID } from 'node:crypto';

import { decodeEntry, encodeEntry, type CacheEntry } from './entry.js';
import { MemoryTier, type MemoryTierOptions } from './memory.tier.js';
import { RedisTier, UNAVAILABLE, type InvalidationMessage, type RedisTierOptions } from './redis.tier.js';
import {
  newCounters,
  type CacheStore,
  type InvalidationResult,
  type Lease,
  type SharedOutcome,
  type SharedPoll,
  type StoreStatus,
} from './store.types.js';

export interface TieredStoreOptions {
  readonly memory: MemoryTierOptions;
  /** Longest an entry is served from memory before Redis is read again (0 = no memory tier while Redis is up). */
  readonly memoryTtlMs: number;
  readonly redis: RedisTierOptions;
}

/**
 * Memory L1 in front of Redis L2: instances share one cache, and hot keys are served from memory
 * for up to `memoryTtlMs` without a network round trip. Invalidations are broadcast so the other
 * instances drop their L1 copies at once (their short L1 lifetime bounds it anyway).
 *
 * When Redis is unusable, reads are answered from memory only and writes are kept in memory with
 * the entry's full lifetime, so the instance keeps caching on its own until Redis is back.
 */
export class TieredStore implements CacheStore {
  readonly kind = 'tiered' as const;
  readonly memory: MemoryTier;
  readonly redis: RedisTier;
  private readonly stats = newCounters();

  constructor(
    private readonly options: TieredStoreOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.memory = new MemoryTier(options.memory);
    this.redis = new RedisTier(options.redis);
    this.redis.subscribe((message) => this.applyRemote(message));
  }

  async get(key: string, options: { readonly skipMemory?: boolean } = {}): Promise<CacheEntry | undefined> {
    const now = this.clock();
    if (!options.skipMemory || !this.redis.usable()) {
      const local = this.readMemory(key, now);
      if (local) {
        this.stats.memoryHits++;
        return local;
      }
    }
    const raw = await this.redis.get(this.redis.key(key));
    if (raw === UNAVAILABLE || raw === undefined) {
      if (raw === UNAVAILABLE) this.stats.redisFailures++;
      this.stats.misses++;
      return undefined;
    }
    const entry = decodeEntry(raw);
    if (!entry || entry.expiresAt <= now) {
      if (!entry) {
        this.stats.corrupt++;
        void this.redis.del([this.redis.key(key)]);
      }
      this.stats.misses++;
      return undefined;
    }
    this.stats.redisHits++;
    this.fillMemory(key, raw, entry, now);
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<SharedOutcome> {
    const now = this.clock();
    const raw = encodeEntry(entry);
    const ttl = entry.expiresAt - now;
    if (ttl <= 0) return 'none';
    const stored = await this.redis.set(
      this.redis.key(key),
      raw,
      ttl,
      entry.tags.map((t) => this.tagKey(t)),
    );
    if (stored === UNAVAILABLE) {
      this.stats.redisFailures++;
      // Redis is out: this instance keeps the entry for its whole lifetime on its own.
      this.memory.set(key, raw, ttl, entry.tags);
      return 'unavailable';
    }
    this.fillMemory(key, raw, entry, now);
    return 'ok';
  }

  async delete(keys: readonly string[]): Promise<InvalidationResult> {
    let removed = 0;
    for (const key of keys) if (this.memory.delete(key)) removed++;
    const deleted = await this.redis.del(keys.map((k) => this.redis.key(k)));
    if (deleted === UNAVAILABLE) return { removed, shared: 'unavailable' };
    const published = await this.redis.publish({ keys });
    return { removed: removed + deleted, shared: published === UNAVAILABLE ? 'unavailable' : 'ok' };
  }

  async invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    const local = this.memory.invalidateTags(tags);
    const deleted = await this.redis.invalidateTags(tags.map((t) => this.tagKey(t)));
    if (deleted === UNAVAILABLE) return { removed: local, shared: 'unavailable' };
    const published = await this.redis.publish({ tags });
    return { removed: local + deleted, shared: published === UNAVAILABLE ? 'unavailable' : 'ok' };
  }

  async acquireLease(key: string, ttlMs: number): Promise<Lease> {
    const lockKey = this.lockKey(key);
    const token = randomUUID();
    const acquired = await this.redis.acquire(lockKey, token, ttlMs);
    if (acquired === UNAVAILABLE) return { state: 'local' };
    if (!acquired) return { state: 'held' };
    return { state: 'acquired', release: () => this.redis.release(lockKey, token) };
  }

  async pollShared(key: string): Promise<SharedPoll | undefined> {
    const result = await this.redis.poll(this.redis.key(key), this.lockKey(key));
    if (result === UNAVAILABLE) return undefined;
    const now = this.clock();
    const entry = decodeEntry(result.raw);
    if (entry && entry.expiresAt > now && result.raw !== undefined) {
      this.fillMemory(key, result.raw, entry, now);
      return { entry, leaseHeld: result.leaseHeld };
    }
    return { entry: undefined, leaseHeld: result.leaseHeld };
  }

  peekMemory(key: string): CacheEntry | undefined {
    const entry = this.memory.getFresh(key, this.clock());
    if (entry === null) this.stats.corrupt++;
    return entry ?? undefined;
  }

  countMemoryHit(): void {
    this.stats.memoryHits++;
  }

  status(): StoreStatus {
    return { kind: 'tiered', redis: this.redis.status(), memory: { entries: this.memory.entries, bytes: this.memory.bytes } };
  }

  counters() {
    return { ...this.stats, redisFailures: this.redis.failures };
  }

  ready(timeoutMs: number): Promise<void> {
    return this.redis.ready(timeoutMs);
  }

  async close(): Promise<void> {
    await this.redis.close();
    this.memory.clear();
  }

  private readMemory(key: string, now: number): CacheEntry | undefined {
    const raw = this.memory.get(key);
    if (raw === undefined) return undefined;
    const entry = decodeEntry(raw);
    if (!entry || entry.expiresAt <= now) {
      if (!entry) this.stats.corrupt++;
      this.memory.delete(key);
      return undefined;
    }
    return entry;
  }

  private fillMemory(key: string, raw: string, entry: CacheEntry, now: number): void {
    const ttl = Math.min(this.options.memoryTtlMs, entry.expiresAt - now);
    if (ttl > 0) this.memory.set(key, raw, ttl, entry.tags);
    else this.memory.delete(key);
  }

  private applyRemote(message: InvalidationMessage): void {
    if (Array.isArray(message.keys)) for (const key of message.keys) if (typeof key === 'string') this.memory.delete(key);
    if (Array.isArray(message.tags)) this.memory.invalidateTags(message.tags.filter((t): t is string => typeof t === 'string'));
  }

  private tagKey(tag: string): string {
    return this.redis.key(`tag:${tag}`);
  }

  private lockKey(key: string): string {
    return this.redis.key(`lock:${key}`);
  }
}
