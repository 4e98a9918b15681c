import { LRUCache } from 'lru-cache';

import { decodeEntry, type CacheEntry } from './entry.js';

export interface MemoryTierOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** Entries larger than this are not kept (they would evict too much). */
  readonly maxEntryBytes: number;
}

interface Stored {
  readonly raw: string;
  readonly tags: readonly string[];
  /** `raw` decoded, on the first getDecoded(); shared by its callers. */
  decoded?: CacheEntry;
}

/**
 * In-process LRU of serialized entries, bounded by entry count and by bytes (UTF-8 size of the
 * serialized entry plus its key), with a tag index (tag → keys) kept consistent on eviction.
 */
export class MemoryTier {
  private readonly lru: LRUCache<string, Stored>;
  private readonly byTag = new Map<string, Set<string>>();

  constructor(private readonly options: MemoryTierOptions) {
    this.lru = new LRUCache<string, Stored>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      maxEntrySize: Math.min(options.maxEntryBytes, options.maxBytes),
      sizeCalculation: (value, key) => Math.max(1, Buffer.byteLength(value.raw, 'utf8') + key.length),
      // Every way an entry leaves (eviction, expiry, delete, overwrite) keeps the tag index in step.
      dispose: (value, key) => this.unindex(key, value.tags),
    });
  }

  get(key: string): string | undefined {
    return this.lru.get(key)?.raw;
  }

  /**
   * The entry under `key` decoded once per stored value and shared by every caller of this method,
   * so it must be treated as read-only (get() hands out the text, to be decoded into a private copy).
   * `null` when the stored text is corrupt (it is dropped), undefined when absent.
   */
  getDecoded(key: string): CacheEntry | null | undefined {
    const stored = this.lru.get(key);
    if (stored === undefined) return undefined;
    if (stored.decoded === undefined) {
      const entry = decodeEntry(stored.raw);
      if (!entry) {
        this.lru.delete(key);
        return null;
      }
      stored.decoded = entry;
    }
    return stored.decoded;
  }

  /**
   * The entry when it is present and not expired at `now` (an expired one is dropped); `null` when
   * the stored text was corrupt (dropped too), undefined otherwise. The fast path of every store.
   */
  getFresh(key: string, now: number): CacheEntry | null | undefined {
    const entry = this.getDecoded(key);
    if (!entry) return entry;
    if (entry.expiresAt <= now) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Returns false when the entry is too large to be kept. */
  set(key: string, raw: string, ttlMs: number, tags: readonly string[]): boolean {
    if (ttlMs <= 0) {
      this.lru.delete(key);
      return false;
    }
    const size = Buffer.byteLength(raw, 'utf8') + key.length;
    if (size > Math.min(this.options.maxEntryBytes, this.options.maxBytes)) {
      this.lru.delete(key);
      return false;
    }
    this.lru.set(key, { raw, tags }, { ttl: Math.ceil(ttlMs) });
    if (!this.lru.has(key)) return false;
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  /** Removes every entry carrying one of the tags; returns how many were removed. */
  invalidateTags(tags: readonly string[]): number {
    let removed = 0;
    for (const tag of tags) {
      for (const key of [...(this.byTag.get(tag) ?? [])]) if (this.lru.delete(key)) removed++;
      this.byTag.delete(tag);
    }
    return removed;
  }

  /** Keys currently indexed under a tag (tests, diagnostics). */
  keysForTag(tag: string): string[] {
    return [...(this.byTag.get(tag) ?? [])];
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /** Number of tags in the index (bounded by what the LRU holds). */
  get indexedTags(): number {
    return this.byTag.size;
  }

  clear(): void {
    this.lru.clear();
  }

  private unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(tag);
    }
  }
}
