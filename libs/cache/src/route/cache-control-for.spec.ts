import { describe, expect, it } from 'vitest';

import { toCachePolicy } from './cache.decorators.js';
import { cacheControlFor } from './route-cache.interceptor.js';

describe('Cache-Control toward clients', () => {
  const anonymous = { uncacheable: false, authenticated: false };
  it('lets shared caches keep public responses, with the stale windows', () => {
    expect(cacheControlFor(toCachePolicy({ ttl: 5, staleWhileRevalidate: 30, staleIfError: 300 }), anonymous)).toBe(
      'public, max-age=5, stale-while-revalidate=30, stale-if-error=300',
    );
    expect(cacheControlFor(toCachePolicy({ ttl: 0.5 }), anonymous)).toBe('public, max-age=0');
  });

  it('keeps caller-bound and authenticated responses out of shared caches', () => {
    expect(cacheControlFor(toCachePolicy({ ttl: 5, scope: 'user' }), { uncacheable: false, authenticated: true })).toBe(
      'private, no-cache',
    );
    expect(cacheControlFor(toCachePolicy({ ttl: 5, scope: 'partner' }), { uncacheable: false, authenticated: true })).toBe(
      'private, no-cache',
    );
    expect(cacheControlFor(toCachePolicy({ ttl: 5, sharedAcrossIdentities: true }), { uncacheable: false, authenticated: true })).toBe(
      'private, max-age=5',
    );
  });

  it('asks clients to revalidate responses that were not stored (degraded)', () => {
    expect(cacheControlFor(toCachePolicy({ ttl: 5 }), { uncacheable: true, authenticated: false })).toBe('public, no-cache');
  });
});
