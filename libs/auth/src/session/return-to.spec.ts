import { describe, expect, it } from 'vitest';

import { safeReturnTo } from './return-to.js';

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
