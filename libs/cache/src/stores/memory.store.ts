import { decodeEntry, encodeEntry, type CacheEntry } from './entry.js';
import { MemoryTier, type MemoryTierOptions } from './memory.tier.js';
import {
  newCounters,
  type CacheStore,
  type InvalidationResult,
  type Lease,
  type SharedOutcome,
  type SharedPoll,
  type StoreStatus,
} from './store.types.js';

/** The default store: one bounded in-process LRU. Each instance has its own cache. */
export class MemoryStore implements CacheStore {
  readonly kind = 'memory' as const;
  readonly tier: MemoryTier;
  private readonly stats = newCounters();

  constructor(
    options: MemoryTierOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.tier = new MemoryTier(options);
  }

  get(key: string): Promise<CacheEntry | undefined> {
    const raw = this.tier.get(key);
    if (raw === undefined) {
      this.stats.misses++;
      return Promise.resolve(undefined);
    }
    const entry = decodeEntry(raw);
    if (!entry) {
      this.stats.corrupt++;
      this.stats.misses++;
      this.tier.delete(key);
      return Promise.resolve(undefined);
    }
    if (entry.expiresAt <= this.clock()) {
      this.stats.misses++;
      this.tier.delete(key);
      return Promise.resolve(undefined);
    }
    this.stats.memoryHits++;
    return Promise.resolve(entry);
  }

  set(key: string, entry: CacheEntry): Promise<SharedOutcome> {
    this.tier.set(key, encodeEntry(entry), entry.expiresAt - this.clock(), entry.tags);
    return Promise.resolve('none');
  }

  delete(keys: readonly string[]): Promise<InvalidationResult> {
    let removed = 0;
    for (const key of keys) if (this.tier.delete(key)) removed++;
    return Promise.resolve({ removed, shared: 'none' });
  }

  invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    return Promise.resolve({ removed: this.tier.invalidateTags(tags), shared: 'none' });
  }

  acquireLease(): Promise<Lease> {
    return Promise.resolve({ state: 'local' });
  }

  pollShared(): Promise<SharedPoll | undefined> {
    return Promise.resolve(undefined);
  }

  peekMemory(key: string): CacheEntry | undefined {
    const entry = this.tier.getFresh(key, this.clock());
    if (entry === null) this.stats.corrupt++;
    return entry ?? undefined;
  }

  countMemoryHit(): void {
    this.stats.memoryHits++;
  }

  status(): StoreStatus {
    return { kind: 'memory', memory: { entries: this.tier.entries, bytes: this.tier.bytes } };
  }

  counters() {
    return { ...this.stats };
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.tier.clear();
    return Promise.resolve();
  }
}
