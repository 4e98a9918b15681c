import { describe, expect, it } from 'vitest';

import { decodeEntry, encodeEntry, type CacheEntry } from './entry.js';
import { MemoryStore } from './memory.store.js';

const entry: CacheEntry = {
  value: { a: [1, 'two', null, true], nested: { x: 1.5 } },
  storedAt: 1_000,
  freshUntil: 2_000,
  expiresAt: 5_000,
  tags: ['product:p-1'],
};

describe('entry serialization (versioned JSON envelope)', () => {
  it('round-trips JSON values with their timing and tags', () => {
    const raw = encodeEntry(entry);
    expect(JSON.parse(raw)).toMatchObject({ v: 1, s: 1_000, f: 2_000, e: 5_000, t: ['product:p-1'] });
    expect(decodeEntry(raw)).toEqual(entry);
  });

  it('reads anything else as a miss, never as an error', () => {
    const corrupt = [
      undefined,
      null,
      42,
      '',
      'not json',
      encodeEntry(entry).slice(0, 20),
      '[]',
      'null',
      JSON.stringify({ v: 2, s: 1, f: 2, e: 3, t: [], d: 1 }),
      JSON.stringify({ v: 1, s: 1, f: 2, e: 3, t: [] }),
      JSON.stringify({ v: 1, s: '1', f: 2, e: 3, t: [], d: 1 }),
      JSON.stringify({ v: 1, s: 1, f: 2, e: 3, t: [1], d: 1 }),
      JSON.stringify({ v: 1, s: 5, f: 2, e: 3, t: [], d: 1 }),
      JSON.stringify({ v: 1, s: 1, f: 2, e: Number.MAX_VALUE * 10, t: [], d: 1 }),
    ];
    for (const raw of corrupt) expect(decodeEntry(raw)).toBeUndefined();
  });

  it('refuses values that are not JSON at write time', () => {
    expect(() => encodeEntry({ ...entry, value: 10n })).toThrow();
    // `undefined` has no JSON form: it is written without a value and reads back as a miss.
    expect(decodeEntry(encodeEntry({ ...entry, value: undefined }))).toBeUndefined();
  });

  it('makes a corrupt memory entry a counted miss and drops it', async () => {
    const store = new MemoryStore({ maxEntries: 10, maxBytes: 10_000, maxEntryBytes: 10_000 }, () => 1_500);
    store.tier.set('k', '{"v":1,"s":1', 60_000, []);
    expect(await store.get('k')).toBeUndefined();
    expect(store.counters()).toMatchObject({ corrupt: 1, misses: 1 });
    expect(store.tier.get('k')).toBeUndefined();
    await store.set('k', entry);
    expect(await store.get('k')).toEqual(entry);
  });
});
