import { describe, expect, it } from 'vitest';

import { CacheEnv } from './cache.env.js';
import { CacheService, type ResolvePolicy } from './cache.service.js';
import { MemoryStore } from './stores/memory.store.js';

function setup(env: Partial<CacheEnv> = {}) {
  let now = 1_000_000;
  const store = new MemoryStore({ maxEntries: 1_000, maxBytes: 1_000_000, maxEntryBytes: 100_000 }, () => now);
  const cache = new CacheService(store, Object.assign(new CacheEnv(), env));
  cache.clock = () => now;
  return { cache, store, advance: (ms: number) => (now += ms) };
}

const policy = (over: Partial<ResolvePolicy<unknown>> = {}): ResolvePolicy<unknown> => ({
  ttlMs: 1_000,
  staleWhileRevalidateMs: 0,
  staleIfErrorMs: 0,
  tags: [],
  ...over,
});

/** A computation whose calls are counted and whose results can be held back. */
function computation<T>(produce: (callNumber: number) => T | Promise<T>) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => produce(++calls),
  };
}

describe('CacheService', () => {
  it('computes on a miss, then serves HITs until ttl, then recomputes', async () => {
    const { cache, advance } = setup();
    const c = computation((n) => ({ n }));
    expect(await cache.resolve('k', c.run, policy())).toMatchObject({ outcome: 'MISS', value: { n: 1 }, stored: true });
    advance(999);
    expect(await cache.resolve('k', c.run, policy())).toMatchObject({ outcome: 'HIT', value: { n: 1 } });
    advance(1);
    expect(await cache.resolve('k', c.run, policy())).toMatchObject({ outcome: 'MISS', value: { n: 2 } });
    expect(c.calls).toBe(2);
  });

  it('runs one computation for 50 concurrent misses, and shares its failure too', async () => {
    const { cache } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = computation(async (callNumber) => {
      await gate;
      return callNumber;
    });
    const all = Promise.all(Array.from({ length: 50 }, () => cache.resolve('k', c.run, policy())));
    await new Promise((r) => setTimeout(r, 10));
    release();
    const results = await all;
    expect(c.calls).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set([1]));
    expect(cache.counters().coalesced).toBe(49);

    const failing = computation(async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('upstream down');
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => cache.resolve('f', failing.run, policy())));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(failing.calls).toBe(1);
  });

  it('serves stale while revalidating: at once, with a single background refresh', async () => {
    const { cache, advance } = setup();
    const c = computation((n) => n);
    await cache.resolve('k', c.run, policy({ staleWhileRevalidateMs: 5_000 }));
    advance(2_000);
    const stale = await Promise.all(Array.from({ length: 10 }, () => cache.resolve('k', c.run, policy({ staleWhileRevalidateMs: 5_000 }))));
    expect(stale.every((r) => r.outcome === 'STALE' && r.staleReason === 'revalidating' && r.value === 1)).toBe(true);
    await cache.settled();
    expect(c.calls).toBe(2);
    expect(await cache.resolve('k', c.run, policy({ staleWhileRevalidateMs: 5_000 }))).toMatchObject({ outcome: 'HIT', value: 2 });
    expect(cache.counters()).toMatchObject({ stale: 10, refreshes: 1 });
  });

  it('keeps the stale value when the background refresh fails', async () => {
    const { cache, advance } = setup({ CACHE_WARN_INTERVAL_MS: 60_000 });
    let fail = false;
    const c = computation((callNumber) => {
      if (fail) throw new Error('boom');
      return callNumber;
    });
    const p = policy({ staleWhileRevalidateMs: 5_000 });
    await cache.resolve('k', c.run, p);
    advance(1_500);
    fail = true;
    expect(await cache.resolve('k', c.run, p)).toMatchObject({ outcome: 'STALE', value: 1 });
    await cache.settled();
    expect(cache.counters().refreshFailures).toBe(1);
    expect(await cache.resolve('k', c.run, p)).toMatchObject({ outcome: 'STALE', value: 1 });
  });

  it('serves the last good value on failure within stale-if-error, and fails past it', async () => {
    const { cache, advance } = setup();
    let fail = false;
    const c = computation((callNumber) => {
      if (fail) throw new Error('upstream down');
      return callNumber;
    });
    const p = policy({ staleIfErrorMs: 3_000 });
    await cache.resolve('k', c.run, p);
    fail = true;
    advance(2_000);
    expect(await cache.resolve('k', c.run, p)).toMatchObject({ outcome: 'STALE', staleReason: 'error', value: 1 });
    advance(2_001);
    await expect(cache.resolve('k', c.run, p)).rejects.toThrow('upstream down');
    expect(cache.counters().staleIfError).toBe(1);
  });

  it('does not store what shouldStore refuses (e.g. degraded answers)', async () => {
    const { cache } = setup();
    const c = computation((n) => ({ n, degraded: true }));
    const p = policy({ shouldStore: (v) => !(v as { degraded: boolean }).degraded });
    expect(await cache.resolve('k', c.run, p)).toMatchObject({ outcome: 'MISS', stored: false });
    expect(await cache.resolve('k', c.run, p)).toMatchObject({ outcome: 'MISS', stored: false });
    expect(c.calls).toBe(2);
  });

  it('invalidates by key and by tag', async () => {
    const { cache } = setup();
    const c = computation((n) => n);
    await cache.resolve('a', c.run, policy({ tags: ['product:1'] }));
    await cache.resolve('b', c.run, policy({ tags: ['product:2'] }));
    expect(await cache.invalidateTags(['product:1', 'bad tag!'])).toEqual({ removed: 1, shared: 'none' });
    expect(await cache.invalidateKey('b')).toEqual({ removed: 1, shared: 'none' });
    expect((await cache.resolve('a', c.run, policy())).outcome).toBe('MISS');
    expect((await cache.resolve('b', c.run, policy())).outcome).toBe('MISS');
  });

  it('wraps application values under user keys, refusing reserved prefixes', async () => {
    const { cache } = setup();
    const c = computation((n) => ({ n }));
    expect(await cache.wrap('categories:tree', c.run, { ttl: 60 })).toEqual({ n: 1 });
    expect(await cache.wrap('categories:tree', c.run, { ttl: 60 })).toEqual({ n: 1 });
    await expect(cache.wrap('rt:web-bff:x', c.run, { ttl: 60 })).rejects.toThrow(/reserved prefix/);
    await expect(cache.wrap('has space', c.run, { ttl: 60 })).rejects.toThrow(/Invalid cache key/);
  });

  it('passes through when disabled', async () => {
    const { cache } = setup({ CACHE_ENABLED: false });
    const c = computation((n) => n);
    await cache.resolve('k', c.run, policy());
    expect(await cache.resolve('k', c.run, policy())).toMatchObject({ outcome: 'MISS', value: 2, stored: false });
  });
});
