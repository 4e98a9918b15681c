/**
 * The reference storefront (frontends/storefront) in a real browser: Debian's Chromium driven by
 * playwright-core, the SPA served by web-bff (SPA_DIR) next to its API, the real sandbox and IdP. One
 * user journey, step by step, with a screenshot of each step in test-results/storefront/. (The SPA's CSP
 * forbids eval: page code is passed as functions, never as strings.)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEV_PASSWORD, KNOWN_IDS } from '../sandbox/src/index.ts';
import { browserAvailable, buildStorefront, CHROMIUM_PATH } from './support/browser.js';
import { PROD_SESSION_COOKIE, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

const SHOTS = join(import.meta.dirname, '..', 'test-results', 'storefront');
const available = browserAvailable('the storefront browser suite');

describe.skipIf(!available)('storefront SPA in Chromium (sign in, browse, cart, checkout, orders, sign out)', () => {
  let stack: WebAuthStack;
  let spaDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let evil: Server;
  /** A second site (localhost vs the shop's 127.0.0.1) serving an attacker's page on loopback. */
  let evilOrigin: string;
  const pageErrors: string[] = [];
  let shot = 0;

  /** Screenshot of the step, then: no error state on the page, no uncaught script error. */
  async function step(name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
    const errors = await page.locator('[data-error]').allInnerTexts();
    expect(errors, `error state shown at step ${name}`).toEqual([]);
    expect(pageErrors, `script errors at step ${name}`).toEqual([]);
  }

  /** Waits for the SPA to have rendered `path` (main not busy). */
  async function rendered(path: string): Promise<void> {
    await page.locator(`body[data-ready=${JSON.stringify(path)}] main#main:not([aria-busy])`).waitFor({ state: 'attached' });
  }

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    spaDir = buildStorefront();
    stack = await startWebAuthStack({ env: { SPA_DIR: spaDir } });
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title><p>nothing to see</p>');
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilOrigin = `http://localhost:${(evil.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await context.newPage();
    // Fail a step within the test timeout, naming what it waited for.
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (evil ? evil.close(resolve) : resolve(undefined)));
    await stack?.close();
    if (spaDir) rmSync(spaDir, { recursive: true, force: true });
  });

  it('serves the SPA at the BFF origin and shows the home page signed out', async () => {
    const response = await page.goto(`${stack.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await rendered('/');
    await expect(page.locator('header [data-signed-out] [data-sign-in]').isVisible()).resolves.toBe(true);
    expect(await page.locator('[data-section="categories"] [data-category]').count()).toBeGreaterThan(0);
    await step('home-signed-out');
  });

  it('signs in at the sandbox IdP and comes back signed in, with a hardened session cookie', async () => {
    await page.locator('header [data-sign-in]').click();
    await page.waitForURL((url) => url.origin === stack.idp.issuer.replace(/\/$/, '') || url.pathname.startsWith('/interaction/'));
    await page.locator('input[name="email"]').fill(KNOWN_IDS.customerEmail);
    await page.locator('input[name="password"]').fill(DEV_PASSWORD);
    await step('idp-login-form');
    await page.locator('button[type="submit"]', { hasText: 'Sign in' }).click();
    const allow = page.locator('button[name="decision"][value="allow"]');
    await page.waitForURL((url) => url.origin === new URL(stack.url).origin || url.pathname.includes('/interaction/'));
    if (new URL(page.url()).origin !== new URL(stack.url).origin) {
      await allow.click();
    }
    await page.waitForURL((url) => url.origin === new URL(stack.url).origin && url.pathname === '/');
    await rendered('/');
    await expect(page.locator('header [data-signed-in]').isVisible()).resolves.toBe(true);
    await step('home-signed-in');

    const cookie = (await context.cookies(stack.url)).find((c) => c.name === PROD_SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.name.startsWith('__Host-')).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain(
      PROD_SESSION_COOKIE,
    );
  });

  it('searches the catalog and opens a product page', async () => {
    const product = (await (await fetch(`${stack.url}/api/v1/pages/product/${KNOWN_IDS.product}`)).json()) as { product: { name: string } };
    const term = product.product.name.split(/\s+/)[0] ?? product.product.name;
    await page.locator('form[data-search] input[name="q"]').fill(term);
    await page.locator('form[data-search] button[type="submit"]').click();
    await rendered(`/search?${new URLSearchParams({ q: term }).toString()}`);
    const card = page.locator(`[data-page="listing"] .card[data-product-id="${KNOWN_IDS.product}"] a`);
    await expect(page.locator('[data-page="listing"] .card').count()).resolves.toBeGreaterThan(0);
    await step('search-results');
    if ((await card.count()) > 0) await card.click();
    else await page.locator('[data-page="listing"] .card a').first().click();
    await page.waitForSelector('[data-page="product"]');
    await page.locator('main#main:not([aria-busy])').waitFor({ state: 'attached' });
    await expect(page.locator('[data-page="product"] h1').innerText()).resolves.not.toBe('');
    await expect(page.locator('[data-page="product"] .buy-box [data-price]').isVisible()).resolves.toBe(true);
    await step('product');
  });

  it('adds the product to the cart, checks out once and lists the order', async () => {
    await page.goto(`${stack.url}/products/${KNOWN_IDS.productAlt}`);
    await rendered(`/products/${KNOWN_IDS.productAlt}`);
    await page.locator('[data-add-to-cart]').click();
    await page.locator('[data-cart-status]', { hasText: 'Added to your cart.' }).waitFor();
    await step('added-to-cart');
    await page.locator('header a[href="/cart"]').click();
    await rendered('/cart');
    await expect(page.locator(`[data-cart-line="${KNOWN_IDS.productAlt}"]`).isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-subtotal]').innerText()).resolves.toContain('Estimated subtotal');
    await step('cart');

    const checkoutRequest = () =>
      page.waitForRequest((request) => request.url().endsWith('/api/v1/checkout') && request.method() === 'POST');
    // The orders service fails the first attempt: the page shows the problem and offers to try again.
    await stack.sandbox.admin.setFaults('orders', [{ method: 'POST', status: 503 }]);
    let first;
    try {
      [first] = await Promise.all([checkoutRequest(), page.locator('[data-checkout]').click()]);
      await page.waitForSelector('[data-checkout-status] [data-error]');
    } finally {
      await stack.sandbox.admin.clearFaults('orders');
    }
    const key = first.headers()['idempotency-key'];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers()['x-csrf']).toBe('1');
    await expect(page.locator('[data-checkout-status] [data-error] [data-request-id]').innerText()).resolves.toMatch(/\S/);
    await page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-checkout-failed.png`), fullPage: true });

    // The retry is the same attempt: same Idempotency-Key, one order.
    const [retry] = await Promise.all([checkoutRequest(), page.locator('[data-retry-checkout]').click()]);
    expect(retry.headers()['idempotency-key']).toBe(key);
    await page.waitForSelector('[data-page="order"]');
    const orderId = await page.locator('[data-page="order"]').getAttribute('data-order-id');
    expect(orderId).toBeTruthy();
    await step('order-placed');

    await page.locator('header a[href="/orders"]').click();
    await rendered('/orders');
    await expect(page.locator(`[data-order="${orderId}"]`).isVisible()).resolves.toBe(true);
    await step('order-history');
  });

  it('renders a product page whose pricing is down with "Price unavailable" instead of breaking', async () => {
    await stack.sandbox.admin.setFaults('pricing', [{ status: 500 }]);
    try {
      const id = KNOWN_IDS.productNoReviews; // not viewed before: nothing cached for it
      await page.goto(`${stack.url}/products/${id}`);
      await rendered(`/products/${id}`);
      await expect(page.locator('[data-page="product"] .buy-box [data-degraded="price"]').innerText()).resolves.toBe('Price unavailable');
      await expect(page.locator('[data-degraded-sections]').getAttribute('data-degraded-sections')).resolves.toContain('price');
      await expect(page.locator('[data-page="product"] h1').innerText()).resolves.not.toBe('');
      await step('degraded-price');
    } finally {
      await stack.sandbox.admin.clearFaults('pricing');
    }
  });

  it('refuses the API to another site: no CORS grant, no session, no CSRF', async () => {
    const other = await context.newPage();
    // Why the browser failed each of the other site's requests to web-bff.
    const failures = new Map<string, string>();
    other.on('requestfailed', (request) =>
      failures.set(`${request.method()} ${new URL(request.url()).pathname}`, request.failure()?.errorText ?? ''),
    );
    try {
      await other.goto(`${evilOrigin}/`);
      const result = await other.evaluate(async (api) => {
        const outcome = async (p: Promise<Response>): Promise<string> => {
          try {
            const res = await p;
            return `${res.type}:${res.status}`;
          } catch {
            return 'blocked';
          }
        };
        return {
          // A read with the session: the answer is not shared with this origin (no Access-Control-Allow-Origin).
          read: await outcome(fetch(`${api}/auth/user`, { credentials: 'include' })),
          // The CSRF header needs a preflight, which only CORS_ORIGINS pass.
          withHeader: await outcome(fetch(`${api}/api/v1/cart`, { credentials: 'include', headers: { 'X-CSRF': '1' } })),
          // A "simple" cross-site write goes out blind (opaque answer): web-bff must refuse it.
          blindWrite: await outcome(
            fetch(`${api}/api/v1/cart/items`, {
              method: 'POST',
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'content-type': 'text/plain' },
              body: JSON.stringify({ productId: 'p-00003', quantity: 5 }),
            }),
          ),
          blindLogout: await outcome(fetch(`${api}/auth/logout`, { method: 'POST', mode: 'no-cors', credentials: 'include' })),
        };
      }, stack.url);
      expect(result).toEqual({ read: 'blocked', withHeader: 'blocked', blindWrite: 'blocked', blindLogout: 'blocked' });
      // Reads: no CORS grant for this origin (and the X-CSRF header's preflight fails); blind writes: their
      // answers are withheld by Cross-Origin-Resource-Policy: same-site. What they did server-side is checked below.
      expect(Object.fromEntries(failures)).toEqual({
        'GET /auth/user': 'net::ERR_FAILED',
        'GET /api/v1/cart': 'net::ERR_FAILED',
        'POST /api/v1/cart/items': 'net::ERR_BLOCKED_BY_RESPONSE.NotSameSite',
        'POST /auth/logout': 'net::ERR_BLOCKED_BY_RESPONSE.NotSameSite',
      });
      await other.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-cross-site.png`) });
    } finally {
      await other.close();
    }
    // The blind writes changed nothing (no X-CSRF header, no Strict session cookie): still signed in, no p-00003 in the cart.
    await page.goto(`${stack.url}/cart`);
    await rendered('/cart');
    await expect(page.locator('header [data-signed-in]').isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-cart-line="p-00003"]').count()).resolves.toBe(0);
    await step('cart-after-cross-site');
  });

  it('signs out through the IdP, and the back button shows the user signed out', async () => {
    await page.goto(`${stack.url}/products/${KNOWN_IDS.product}`);
    await rendered(`/products/${KNOWN_IDS.product}`);
    await expect(page.locator('header [data-signed-in]').isVisible()).resolves.toBe(true);
    await page.locator('header [data-sign-out]').click();
    await page.waitForURL((url) => url.origin !== new URL(stack.url).origin);
    await step('idp-sign-out');
    await page.locator('button[name="logout"][value="yes"]').click();
    await page.waitForURL((url) => url.origin === new URL(stack.url).origin);
    await rendered('/');
    await expect(page.locator('header [data-signed-out]').isVisible()).resolves.toBe(true);
    expect((await context.cookies(stack.url)).find((c) => c.name === PROD_SESSION_COOKIE)).toBeUndefined();
    await step('signed-out');

    // Back through the IdP's page to the product page the user signed out from.
    for (let i = 0; i < 4 && new URL(page.url()).pathname !== `/products/${KNOWN_IDS.product}`; i++) {
      await page.goBack();
    }
    expect(new URL(page.url()).pathname).toBe(`/products/${KNOWN_IDS.product}`);
    await rendered(`/products/${KNOWN_IDS.product}`);
    await expect(page.locator('header [data-signed-out]').isVisible()).resolves.toBe(true);
    await expect(page.locator('header [data-signed-in]').count()).resolves.toBe(0);
    await step('back-button-signed-out');

    await page.goto(`${stack.url}/orders`);
    await rendered('/orders');
    await expect(page.locator('[data-page="signed-out"]').isVisible()).resolves.toBe(true);
    await step('orders-signed-out');
  });
});
