import { describe, expect, it } from 'vitest';

import type { RemoteApiDefinition } from './remote-api.types.js';
import { isValidPrefix, resolveRemotePath } from './remote-path.js';

const APIS = new Map<string, RemoteApiDefinition>([
  ['catalog', { upstream: 'catalog', paths: ['/products', '/categories'] }],
  ['carts', { upstream: 'carts', paths: ['/carts'], methods: ['GET', 'POST'] }],
]);

describe('resolveRemotePath', () => {
  it.each([
    ['GET', 'catalog', '/products', '/products'],
    ['GET', 'catalog', '/products/p-00001', '/products/p-00001'],
    ['GET', 'catalog', '/products/?limit=5&q=caf%C3%A9', '/products/?limit=5&q=caf%C3%A9'],
    ['HEAD', 'catalog', '/categories', '/categories'],
    ['POST', 'carts', '/carts/cart-c-0001/items', '/carts/cart-c-0001/items'],
    ['GET', 'catalog', '/products/a%20b', '/products/a%20b'],
  ])('%s %s%s goes upstream as %s', (method, api, rest, path) => {
    expect(resolveRemotePath(APIS, api, method, rest)).toEqual({ ok: true, upstream: api, path });
  });

  it.each([
    ['an unknown API', 'GET', 'orders', '/orders'],
    ['a prototype key', 'GET', 'constructor', '/products'],
    ['a path outside the prefixes', 'GET', 'catalog', '/health'],
    ['a prefix look-alike', 'GET', 'catalog', '/productsX'],
    ['the admin API', 'GET', 'catalog', '/__admin/stats'],
    ['a method not allowed (default GET only)', 'DELETE', 'catalog', '/products/p-00001'],
    ['a method not listed', 'PUT', 'carts', '/carts/x'],
  ])('refuses %s as not allowed', (_name, method, api, rest) => {
    expect(resolveRemotePath(APIS, api, method, rest)).toEqual({ ok: false, reason: 'not_allowed' });
  });

  it.each([
    ['a dot-dot segment', '/products/../__admin'],
    ['a dot segment', '/products/./x'],
    ['an encoded dot-dot', '/products/%2e%2e/__admin'],
    ['an upper-case encoded dot', '/products/%2E%2E/x'],
    ['an encoded slash', '/products%2F..%2F__admin'],
    ['an encoded backslash', '/products/%5C..'],
    ['a backslash', '/products\\..\\x'],
    ['double encoding', '/products/%252e%252e'],
    ['an encoded NUL', '/products/%00'],
    ['an encoded newline', '/products/%0a'],
    ['a malformed encoding', '/products/%zz'],
    ['an empty segment', '/products//x'],
    ['no leading slash', 'products'],
    ['a space', '/products/a b'],
    ['a control character in the query', '/products?q=\n'],
    ['an empty rest', ''],
  ])('refuses %s as invalid, even on an allowlisted prefix', (_name, rest) => {
    expect(resolveRemotePath(APIS, 'catalog', 'GET', rest)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('isValidPrefix', () => {
  it('accepts plain segment paths and refuses anything else', () => {
    expect(isValidPrefix('/products')).toBe(true);
    expect(isValidPrefix('/v1/products')).toBe(true);
    for (const bad of ['products', '/', '/products/', '/a/../b', '/a//b', '/a b', '/%2e']) expect(isValidPrefix(bad), bad).toBe(false);
  });
});
