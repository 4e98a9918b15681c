import { describe, expect, it } from 'vitest';

import { resolveReturnTo, safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it.each([
    ['/', '/'],
    ['/account', '/account'],
    ['/account/orders?tab=open&page=2#latest', '/account/orders?tab=open&page=2#latest'],
    ['/search?q=caf%C3%A9', '/search?q=caf%C3%A9'],
    ['/a/../b', '/b'],
    ['/%7Euser', '/%7Euser'],
  ])('accepts the same-origin path %j as %j', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['relative without slash', 'account'],
    ['scheme-relative', '//evil.example'],
    ['scheme-relative with path', '//evil.example/account'],
    ['backslash', '/\\evil.example'],
    ['backslash inside', '/account\\..\\..\\evil'],
    ['absolute https', 'https://evil.example/'],
    ['absolute http', 'http://evil.example'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,hi'],
    ['tab trick', '/\t/evil.example'],
    ['newline trick', '/\n/evil.example'],
    ['space', '/ /evil.example'],
    ['NUL', '/\u0000'],
    ['encoded slash', '/%2Fevil.example'],
    ['encoded slashes', '/%2F%2Fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['double-encoded slashes', '/%252F%252Fevil.example'],
    ['triple-encoded', '/%25252F%25252Fevil.example'],
    ['encoded tab', '/%09/evil.example'],
    ['broken encoding', '/%E0%A4%A'],
    ['encoded leading slash', '%2F%2Fevil.example'],
    ['too long', `/${'a'.repeat(1024)}`],
  ])('refuses %s', (_name, input) => {
    expect(safeReturnTo(input)).toBeUndefined();
  });
});

describe('resolveReturnTo', () => {
  const dev = new Set(['http://localhost:5173']);

  it('keeps accepting same-origin paths, with or without allowed origins', () => {
    expect(resolveReturnTo('/account', new Set())).toBe('/account');
    expect(resolveReturnTo('/account', dev)).toBe('/account');
  });

  it('accepts a URL on an allowed origin, canonicalised', () => {
    expect(resolveReturnTo('http://localhost:5173/account?tab=1#top', dev)).toBe('http://localhost:5173/account?tab=1#top');
    expect(resolveReturnTo('http://LOCALHOST:5173', dev)).toBe('http://localhost:5173/');
  });

  it.each([
    ['no allowlist', 'http://localhost:5173/account', new Set<string>()],
    ['another port', 'http://localhost:5174/account', dev],
    ['another scheme', 'https://localhost:5173/account', dev],
    ['credentials', 'http://user:pw@localhost:5173/account', dev],
    ['look-alike host', 'http://localhost:5173.evil.example/account', dev],
    ['userinfo trick', 'http://localhost:5173@evil.example/', dev],
    ['backslash', 'http://localhost:5173\\@evil.example/', dev],
    ['tab', 'http://localhost:5173/\t', dev],
    ['javascript', 'javascript:alert(1)//http://localhost:5173', dev],
    ['scheme-relative', '//localhost:5173/account', dev],
    ['too long', `http://localhost:5173/${'a'.repeat(1024)}`, dev],
  ])('refuses %s', (_name, input, origins) => {
    expect(resolveReturnTo(input, origins)).toBeUndefined();
  });
});
