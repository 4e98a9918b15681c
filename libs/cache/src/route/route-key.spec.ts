import { describe, expect, it } from 'vitest';

import type { Identity } from '@bff/core';

import { toCachePolicy } from './cache.decorators.js';
import { normalizeQuery, normalizeVary, principalOf, renderTags, routeCacheKey, type RouteKeyInput } from './route-key.js';

const base: RouteKeyInput = {
  namespace: 'web-bff',
  route: '/api/v1/pages/product/:id',
  params: { id: 'p-1' },
  query: [],
  vary: [],
  principal: undefined,
};
const identity = (over: Partial<Identity>): Identity => ({ strategy: 'session', subject: 'u-1', scopes: [], claims: {}, ...over });

describe('route cache keys', () => {
  it('is stable, namespaced and carries no raw input', () => {
    const key = routeCacheKey(base);
    expect(key).toBe(routeCacheKey({ ...base }));
    expect(key).toMatch(/^rt:web-bff:[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('p-1');
  });

  it('differs by app, route, params, query, vary values and principal', () => {
    const keys = [
      base,
      { ...base, namespace: 'mobile-bff' },
      { ...base, route: '/api/v1/products/:id' },
      { ...base, params: { id: 'p-2' } },
      { ...base, query: [['limit', ['5']]] as const },
      { ...base, vary: [['accept-language', 'de']] as const },
      { ...base, principal: 'user:session:u-1' },
      { ...base, principal: 'user:session:u-2' },
      { ...base, principal: 'partner:acme' },
    ].map(routeCacheKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('does not depend on the order of path parameters', () => {
    expect(routeCacheKey({ ...base, params: { a: '1', b: '2' } })).toBe(routeCacheKey({ ...base, params: { b: '2', a: '1' } }));
  });

  it('normalizes the query: allowlist only, sorted by name, repeated values kept in order', () => {
    expect(normalizeQuery({ z: '1', limit: '5', cursor: 'abc', utm_source: 'x' }, ['cursor', 'limit'])).toEqual({
      query: [
        ['cursor', ['abc']],
        ['limit', ['5']],
      ],
      undeclared: ['utm_source', 'z'],
    });
    expect(normalizeQuery({ ids: ['b', 'a'] }, ['ids']).query).toEqual([['ids', ['b', 'a']]]);
    expect(normalizeQuery(undefined, ['a'])).toEqual({ query: [], undeclared: [] });
    const a = normalizeQuery({ limit: '5', cursor: 'c' }, ['limit', 'cursor']).query;
    const b = normalizeQuery({ cursor: 'c', limit: '5', junk: '1' }, ['limit', 'cursor']).query;
    expect(routeCacheKey({ ...base, query: a })).toBe(routeCacheKey({ ...base, query: b }));
  });

  it('normalizes vary header values (whitespace; case for content negotiation)', () => {
    expect(normalizeVary({ 'accept-language': ' DE-de ,  en;q=0.5 ' }, ['accept-language'])).toEqual([
      ['accept-language', 'de-de,en;q=0.5'],
    ]);
    expect(normalizeVary({}, ['accept-language'])).toEqual([['accept-language', '']]);
    expect(normalizeVary({ 'x-tenant': 'Acme' }, ['x-tenant'])).toEqual([['x-tenant', 'Acme']]);
  });

  it('keys caller-bound scopes by the verified identity, and has no principal without one', () => {
    expect(principalOf('public', identity({}))).toBeUndefined();
    expect(principalOf('user', identity({ subject: 'alice' }))).toBe('user:session:alice');
    expect(principalOf('user', identity({ strategy: 'jwt', subject: 'alice' }))).toBe('user:jwt:alice');
    expect(principalOf('partner', identity({ strategy: 'api-key', subject: 'acme', partnerId: 'acme' }))).toBe('partner:acme');
    expect(principalOf('partner', identity({ subject: 'u-1' }))).toBeUndefined(); // a user is not a partner
    expect(principalOf('user', undefined)).toBeUndefined();
    expect(principalOf('partner', undefined)).toBeUndefined();
  });

  it('renders tags from path parameters or a function, dropping empty or malformed ones', () => {
    const policy = toCachePolicy({ ttl: 1, tags: ['product:{id}', 'catalog', 'missing:{nope}', 'bad tag'] });
    expect(renderTags(policy, { params: { id: 'p-1' }, query: {} })).toEqual(['product:p-1', 'catalog']);
    const fn = toCachePolicy({ ttl: 1, tags: (r) => [`category:${String(r.query.category)}`] });
    expect(renderTags(fn, { params: {}, query: { category: 'cat-01' } })).toEqual(['category:cat-01']);
  });
});

describe('@Cached options', () => {
  it('normalizes seconds, headers and the allowlist', () => {
    expect(
      toCachePolicy({ ttl: 5, staleWhileRevalidate: 30, varyBy: ['Accept-Language', 'accept-language'], query: ['limit', 'cursor'] }),
    ).toMatchObject({
      ttlMs: 5_000,
      staleWhileRevalidateMs: 30_000,
      staleIfErrorMs: 0,
      scope: 'public',
      varyBy: ['accept-language'],
      query: ['cursor', 'limit'],
      undeclaredQuery: 'ignore',
      cacheDegraded: false,
    });
  });

  it('refuses misconfigurations at decoration time', () => {
    expect(() => toCachePolicy({ ttl: 0 })).toThrow(/ttl/);
    expect(() => toCachePolicy({ ttl: -1 })).toThrow(/ttl/);
    expect(() => toCachePolicy({ ttl: 1, staleIfError: Number.NaN })).toThrow(/staleIfError/);
    expect(() => toCachePolicy({ ttl: 1, varyBy: ['Authorization'] })).toThrow(/credential header/);
    expect(() => toCachePolicy({ ttl: 1, varyBy: ['cookie'] })).toThrow(/credential header/);
    expect(() => toCachePolicy({ ttl: 1, varyBy: ['bad header'] })).toThrow(/not a header name/);
    expect(() => toCachePolicy({ ttl: 1, scope: 'user', sharedAcrossIdentities: true })).toThrow(/sharedAcrossIdentities/);
    expect(() => toCachePolicy({ ttl: 1, scope: 'tenant' as never })).toThrow(/unknown scope/);
  });
});
