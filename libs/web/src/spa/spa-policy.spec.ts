import { describe, expect, it } from 'vitest';

import { cacheControlFor, IMMUTABLE, isClientRoute, REVALIDATE, spaContentSecurityPolicy } from './spa-policy.js';

describe('spaContentSecurityPolicy', () => {
  it('allows this origin only, plus data: and the configured image origins for images', () => {
    expect(spaContentSecurityPolicy([])).toBe(
      "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
    expect(spaContentSecurityPolicy(['https://img.example.com', 'https://cdn.example.net'])).toContain(
      "img-src 'self' data: https://img.example.com https://cdn.example.net;",
    );
  });
});

describe('cacheControlFor', () => {
  it.each([
    ['assets/index-B1x2y3z4.js', IMMUTABLE],
    ['assets/index-Dq9_Kx-1.css', IMMUTABLE],
    ['assets/fonts/inter-latin-4f3a9b2c.woff2', IMMUTABLE],
    ['assets/logo.a1b2c3d4e5.svg', IMMUTABLE],
    ['index.html', REVALIDATE],
    ['favicon.ico', REVALIDATE],
    ['assets/logo.svg', REVALIDATE],
    ['assets/short-abc.js', REVALIDATE],
    ['static/index-B1x2y3z4.js', REVALIDATE],
  ])('%s → %s', (path, expected) => {
    expect(cacheControlFor(path)).toBe(expected);
  });
});

describe('isClientRoute', () => {
  const html = 'text/html,application/xhtml+xml,*/*;q=0.8';

  it.each([['/'], ['/account'], ['/account/orders?tab=open'], ['/apiary'], ['/authors/1'], ['/products/p-00001']])(
    'serves index.html for a navigation to %s',
    (url) => {
      expect(isClientRoute('GET', url, html)).toBe(true);
      expect(isClientRoute('HEAD', url, html)).toBe(true);
    },
  );

  it.each([
    ['an /api path', 'GET', '/api/nope', html],
    ['/api itself', 'GET', '/api', html],
    ['an /auth path', 'GET', '/auth/whatever', html],
    ['an upper-case /API path', 'GET', '/API/x', html],
    ['a JSON request', 'GET', '/account', 'application/json'],
    ['no Accept', 'GET', '/account', undefined],
    ['a POST', 'POST', '/account', html],
    ['a missing file', 'GET', '/assets/app-12345678.js', html],
  ])('keeps the 404 for %s', (_name, method, url, accept) => {
    expect(isClientRoute(method, url, accept)).toBe(false);
  });
});
