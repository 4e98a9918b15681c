import { describe, expect, it } from 'vitest';

import { canonicalHeaderName, ifNoneMatchHits, mergeVary, parseCacheControl, parseVary, strongEtag } from './cache-control.js';

describe('Cache-Control and friends', () => {
  it('parses the directives a cache acts on', () => {
    expect(parseCacheControl('public, max-age=60')).toMatchObject({ public: true, maxAge: 60, noStore: false, private: false });
    expect(parseCacheControl('private, max-age=30')).toMatchObject({ private: true, maxAge: 30 });
    expect(parseCacheControl('no-cache')).toMatchObject({ noCache: true, maxAge: undefined });
    expect(parseCacheControl('No-Store')).toMatchObject({ noStore: true });
    expect(parseCacheControl(['public', 's-maxage=10, max-age=5'])).toMatchObject({ sMaxAge: 10, maxAge: 5 });
    expect(parseCacheControl('max-age="20", stale-if-error=300, stale-while-revalidate=30, must-revalidate')).toMatchObject({
      maxAge: 20,
      staleIfError: 300,
      staleWhileRevalidate: 30,
      mustRevalidate: true,
    });
    // Conservative readings: field-name forms count as the plain directive; malformed numbers are ignored.
    expect(parseCacheControl('private="set-cookie", no-cache="x"')).toMatchObject({ private: true, noCache: true });
    expect(parseCacheControl('max-age=abc')).toMatchObject({ maxAge: undefined });
    expect(parseCacheControl('max-age=-5')).toMatchObject({ maxAge: undefined });
    expect(parseCacheControl(undefined)).toMatchObject({ noStore: false, maxAge: undefined });
  });

  it('parses Vary', () => {
    expect(parseVary('Accept-Language, accept-encoding')).toEqual(['accept-language', 'accept-encoding']);
    expect(parseVary('*')).toEqual(['*']);
    expect(parseVary(undefined)).toEqual([]);
  });

  it('compares If-None-Match weakly, lists and * included', () => {
    const etag = strongEtag('{"a":1}');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(strongEtag('{"a":1}')).toBe(etag);
    expect(strongEtag('{"a":2}')).not.toBe(etag);
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"x", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
    expect(ifNoneMatchHits('"x"', etag)).toBe(false);
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
    expect(ifNoneMatchHits('', etag)).toBe(false);
  });

  it('merges Vary without losing what is there (e.g. Origin from CORS)', () => {
    expect(mergeVary('Origin', ['accept-language', 'cookie'])).toBe('Origin, Accept-Language, Cookie');
    expect(mergeVary(undefined, ['x-api-key'])).toBe('X-Api-Key');
    expect(mergeVary('origin, Accept-Language', ['accept-language'])).toBe('origin, Accept-Language');
    expect(mergeVary('*', ['cookie'])).toBe('*');
    expect(canonicalHeaderName('accept-language')).toBe('Accept-Language');
  });
});
