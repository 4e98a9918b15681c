import { describe, expect, it } from 'vitest';

import { MemoryTier } from './memory.tier.js';

const value = (bytes: number) => 'x'.repeat(bytes);

describe('MemoryTier (LRU bounded by entries and bytes)', () => {
  it('never holds more than maxEntries, evicting the least recently used', () => {
    const tier = new MemoryTier({ maxEntries: 100, maxBytes: 10_000_000, maxEntryBytes: 1_000_000 });
    for (let i = 0; i < 1_000; i++) {
      tier.set(`k${i}`, value(10), 60_000, []);
      if (i === 50) tier.get('k0'); // k0 is used, so it survives longer than k1...
      expect(tier.entries).toBeLessThanOrEqual(100);
    }
    expect(tier.entries).toBe(100);
    expect(tier.get('k999')).toBe(value(10));
    expect(tier.get('k899')).toBeUndefined();
    expect(tier.get('k900')).toBe(value(10));
  });

  it('never holds more than maxBytes (UTF-8 size of value + key) under pressure', () => {
    const tier = new MemoryTier({ maxEntries: 100_000, maxBytes: 10_000, maxEntryBytes: 5_000 });
    for (let i = 0; i < 5_000; i++) {
      tier.set(`key-${i}`, value(50 + (i % 7) * 100), 60_000, []);
      expect(tier.bytes).toBeLessThanOrEqual(10_000);
    }
    // Multi-byte characters count as bytes, not characters.
    tier.set('euro', '€'.repeat(1_000), 60_000, []);
    expect(tier.bytes).toBeLessThanOrEqual(10_000);
    expect(tier.get('euro')).toBe('€'.repeat(1_000));
    expect(tier.entries).toBeLessThan(5_000);
  });

  it('refuses a single entry larger than maxEntryBytes (and drops an older value under that key)', () => {
    const tier = new MemoryTier({ maxEntries: 10, maxBytes: 10_000, maxEntryBytes: 1_000 });
    expect(tier.set('small', value(100), 60_000, [])).toBe(true);
    expect(tier.set('small', value(2_000), 60_000, [])).toBe(false);
    expect(tier.get('small')).toBeUndefined();
    expect(tier.entries).toBe(0);
  });

  it('expires entries after their ttl', async () => {
    const tier = new MemoryTier({ maxEntries: 10, maxBytes: 10_000, maxEntryBytes: 1_000 });
    tier.set('short', 'v', 30, []);
    expect(tier.get('short')).toBe('v');
    await new Promise((r) => setTimeout(r, 60));
    expect(tier.get('short')).toBeUndefined();
  });

  it('keeps the tag index consistent through eviction, overwrite and invalidation', () => {
    const tier = new MemoryTier({ maxEntries: 3, maxBytes: 10_000, maxEntryBytes: 1_000 });
    tier.set('a', '1', 60_000, ['product:1', 'all']);
    tier.set('b', '2', 60_000, ['product:2', 'all']);
    tier.set('c', '3', 60_000, ['product:3', 'all']);
    tier.set('d', '4', 60_000, ['product:4', 'all']); // evicts a
    expect(tier.keysForTag('product:1')).toEqual([]);
    expect(tier.keysForTag('all').sort()).toEqual(['b', 'c', 'd']);
    tier.set('b', '2b', 60_000, ['product:2b']); // overwrite with other tags
    expect(tier.keysForTag('product:2')).toEqual([]);
    expect(tier.keysForTag('all').sort()).toEqual(['c', 'd']);
    expect(tier.invalidateTags(['all'])).toBe(2);
    expect(tier.get('c')).toBeUndefined();
    expect(tier.get('b')).toBe('2b');
    expect(tier.indexedTags).toBe(1);
  });

  it('keeps the tag index bounded by what the LRU holds', () => {
    const tier = new MemoryTier({ maxEntries: 50, maxBytes: 1_000_000, maxEntryBytes: 1_000 });
    for (let i = 0; i < 10_000; i++) tier.set(`k${i}`, 'v', 60_000, [`t${i}`, `u${i}`]);
    expect(tier.entries).toBe(50);
    expect(tier.indexedTags).toBe(100);
  });
});
