import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { WEB_BFF, WEB_SERVICES } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { CookieJar } from '../sandbox/src/index.ts';
import { API_SECURITY_HEADERS } from './support/headers.js';
import { appEnv, expectProblem } from './support/stack.js';
import { browserLogin, startWebAuthStack, WEB_AUTH_OFFLINE_ENV, type WebAuthStack } from './support/web-auth.js';

const DEV_SERVER = 'http://localhost:5173';
const IMAGES = 'https://images.example.com';
const SPA_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: https://images.example.com; style-src 'self'; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
const INDEX_HTML = '<!doctype html><html><head><script type="module" src="/assets/index-B1x2y3z4.js"></script></head><body></body></html>';
const SCRIPT = 'console.log("storefront");';

/** A folder laid out like a Vite build. */
function writeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bff-spa-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'assets', 'index-B1x2y3z4.js'), SCRIPT);
  writeFileSync(join(dir, 'assets', 'index-Dq9_Kx-1.css'), 'body{margin:0}');
  writeFileSync(join(dir, 'favicon.ico'), 'icon');
  return dir;
}

/** A browser navigation (document request). */
const navigate = (url: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...headers }, redirect: 'manual' });

/** A revalidation as a browser sends it; `max-age=0` so that fetch does not add `no-cache` (which forces a 200). */
const revalidate = (url: string, etag: string): Promise<Response> => navigate(url, { 'if-none-match': etag, 'cache-control': 'max-age=0' });

function expectSpaDocument(res: Response): void {
  expect(res.headers.get('content-security-policy')).toBe(SPA_CSP);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
}

describe('web-bff hosting the SPA (SPA_DIR) at its own origin', () => {
  let stack: WebAuthStack;
  let build: string;
  beforeAll(async () => {
    build = writeBuild();
    stack = await startWebAuthStack({ env: { SPA_DIR: build, SPA_IMG_ORIGINS: IMAGES, SESSION_RETURN_ORIGINS: DEV_SERVER } });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(build, { recursive: true, force: true });
  });

  const url = (path: string): string => `${stack.url}${path}`;

  it('serves index.html at / with the SPA content security policy, revalidated on every use', async () => {
    const res = await navigate(url('/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe(INDEX_HTML);
    expectSpaDocument(res);
    const head = await fetch(url('/'), { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-security-policy')).toBe(SPA_CSP);
  });

  it('answers client-side routes with index.html', async () => {
    for (const path of ['/account', '/account/orders?tab=open', '/products/p-00001', '/apiary', '/authors/x']) {
      const res = await navigate(url(path));
      expect(res.status, path).toBe(200);
      expect(await res.text()).toBe(INDEX_HTML);
      expectSpaDocument(res);
    }
  });

  it('keeps the problem+json 404 for unknown /api and /auth paths, non-HTML requests and missing files', async () => {
    for (const path of ['/api/nope', '/api', '/api/v1/unknown/route', '/auth/nope', '/auth', '/API/nope']) {
      const res = await navigate(url(path));
      await expectProblem(res, 404, 'route-not-found');
      expect(res.headers.get('content-security-policy')).toBe(API_SECURITY_HEADERS['content-security-policy']);
    }
    await expectProblem(await fetch(url('/account'), { headers: { accept: 'application/json' } }), 404, 'route-not-found');
    await expectProblem(await navigate(url('/assets/missing-12345678.js')), 404, 'route-not-found');
    await expectProblem(await fetch(url('/account'), { method: 'POST', headers: { accept: 'text/html' } }), 404, 'route-not-found');
  });

  it('caches hashed assets for a year (immutable) and revalidates other files', async () => {
    const script = await fetch(url('/assets/index-B1x2y3z4.js'));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^(?:application|text)\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe(SCRIPT);
    // Not a document: the API policy stays.
    expect(script.headers.get('content-security-policy')).toBe(API_SECURITY_HEADERS['content-security-policy']);
    const style = await fetch(url('/assets/index-Dq9_Kx-1.css'));
    expect(style.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await fetch(url('/favicon.ico'));
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers revalidations with 304 carrying the same caching and document headers', async () => {
    const first = await navigate(url('/'));
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await revalidate(url('/'), etag);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expectSpaDocument(again);
    const route = await revalidate(url('/account'), etag);
    expect(route.status).toBe(304);
    expectSpaDocument(route);

    const asset = await fetch(url('/assets/index-B1x2y3z4.js'));
    const assetAgain = await revalidate(url('/assets/index-B1x2y3z4.js'), asset.headers.get('etag')!);
    expect(assetAgain.status).toBe(304);
    expect(assetAgain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('leaves the API untouched: JSON routes keep the API policy', async () => {
    const res = await fetch(url('/api/v1/pages/product/p-00001'), { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(API_SECURITY_HEADERS['content-security-policy']);
  });

  it('signs in back to a path of this site, or to an allowed dev-server origin (SESSION_RETURN_ORIGINS)', async () => {
    const local = await browserLogin(stack.url, new CookieJar(), { returnTo: '/account?tab=1' });
    expect(local.response?.headers.get('location')).toBe('/account?tab=1');
    const dev = await browserLogin(stack.url, new CookieJar(), { returnTo: `${DEV_SERVER}/account/orders` });
    expect(dev.response?.status).toBe(302);
    expect(dev.response?.headers.get('location')).toBe(`${DEV_SERVER}/account/orders`);
  });

  it('refuses a returnTo on any other origin before leaving for the provider', async () => {
    for (const returnTo of [
      'https://evil.example/',
      'http://localhost:5174/',
      'https://localhost:5173/',
      '//localhost:5173/',
      `${DEV_SERVER}.evil.example/`,
    ]) {
      const res = await navigate(url(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`));
      await expectProblem(res, 400, 'invalid-return-to');
    }
  });
});

describe('web-bff without SPA_DIR', () => {
  it('serves no front end: / and client routes are the platform 404 problem', async () => {
    const stack = await startWebAuthStack();
    try {
      for (const path of ['/', '/account']) await expectProblem(await navigate(`${stack.url}${path}`), 404, 'route-not-found');
      const offSite = await navigate(`${stack.url}/auth/login?returnTo=${encodeURIComponent(`${DEV_SERVER}/`)}`);
      await expectProblem(offSite, 400, 'invalid-return-to');
    } finally {
      await stack.close();
    }
  });

  it('refuses to boot when SPA_DIR holds no index.html', async () => {
    // Never called: the boot stops first.
    const unreachableUpstreams = Object.fromEntries(
      WEB_SERVICES.map((name) => [`UPSTREAM_${name.toUpperCase()}_URL`, 'http://127.0.0.1:9']),
    );
    const empty = mkdtempSync(join(tmpdir(), 'bff-spa-empty-'));
    try {
      await expect(
        createPlatformApp(WebBffModule, WEB_BFF, {
          env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', ...WEB_AUTH_OFFLINE_ENV, ...unreachableUpstreams, SPA_DIR: empty }),
        }),
      ).rejects.toThrow(/SPA_DIR .* is not a folder holding index\.html/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
