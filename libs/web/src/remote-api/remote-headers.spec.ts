import { describe, expect, it } from 'vitest';

import { forwardedRequestHeaders, forwardedResponseHeaders, privateCacheControl } from './remote-headers.js';

describe('forwardedRequestHeaders', () => {
  it("keeps end-to-end headers and drops hop-by-hop ones, those Connection names, and the browser's credentials", () => {
    const out = forwardedRequestHeaders({
      host: 'bff.example.com',
      connection: 'keep-alive, X-Hop',
      'keep-alive': 'timeout=5',
      'x-hop': 'secret',
      te: 'trailers',
      upgrade: 'websocket',
      'transfer-encoding': 'chunked',
      'content-length': '12',
      'proxy-authorization': 'Basic x',
      cookie: '__Host-bff-session=abc',
      authorization: 'Bearer browser',
      'x-csrf': '1',
      origin: 'https://shop.example.com',
      'x-forwarded-for': '10.0.0.1',
      'x-request-id': 'spoofed',
      traceparent: '00-abc',
      accept: 'application/json',
      'accept-language': 'de-DE',
      'content-type': 'application/json',
      'if-none-match': '"v1"',
      'x-multi': ['a', 'b'],
    });
    expect(out).toEqual({
      accept: 'application/json',
      'accept-language': 'de-DE',
      'content-type': 'application/json',
      'if-none-match': '"v1"',
      'x-multi': 'a, b',
    });
  });
});

describe('forwardedResponseHeaders', () => {
  it("drops the upstream's cookies, credential challenges, hop-by-hop headers and the headers the BFF sets itself", () => {
    const out = forwardedResponseHeaders({
      'Content-Type': 'application/json',
      'cache-control': 'max-age=60',
      etag: '"v1"',
      'content-encoding': 'gzip',
      vary: 'Accept-Encoding',
      'set-cookie': ['upstream=1; Path=/'],
      location: 'http://catalog.internal/products/1',
      'content-location': 'http://catalog.internal/products/1',
      'www-authenticate': 'Bearer realm="x"',
      connection: 'close, x-internal',
      'x-internal': 'hop',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'content-length': '10',
      'content-security-policy': 'default-src *',
      'strict-transport-security': 'max-age=0',
      'access-control-allow-origin': '*',
      'x-request-id': 'upstream-id',
      server: 'sandbox',
      'x-total-count': '42',
    });
    expect(out).toEqual({
      'content-type': 'application/json',
      'cache-control': 'max-age=60',
      etag: '"v1"',
      'content-encoding': 'gzip',
      vary: 'Accept-Encoding',
      'x-total-count': '42',
    });
  });
});

describe('privateCacheControl', () => {
  it.each([
    [undefined, 'private'],
    ['public, max-age=60', 'private, max-age=60'],
    ['max-age=60, s-maxage=600, proxy-revalidate', 'private, max-age=60'],
    ['no-store', 'private, no-store'],
    ['private, no-cache', 'private, no-cache'],
    [['public', 'max-age=5'], 'private, max-age=5'],
  ])('%j → %j', (value, expected) => {
    expect(privateCacheControl(value)).toBe(expected);
  });
});
