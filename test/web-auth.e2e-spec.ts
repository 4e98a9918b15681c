import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { API_RESOURCE, browse, CookieJar, KNOWN_IDS, logoutViaForms } from '../sandbox/src/index.ts';
import { expectNotStored } from './support/headers.js';
import { expectProblem } from './support/stack.js';
import {
  browserLogin,
  jarLoginCookies,
  jwtClaims,
  loginCookieLines,
  PROD_SESSION_COOKIE,
  setCookieLine,
  sleep,
  SPA_ORIGIN,
  spaFetch,
  startWebAuthStack,
  WEB_AUTH_OFFLINE_ENV,
  type WebAuthStack,
} from './support/web-auth.js';

/** Access tokens live 2 s; refreshed 1 s before they expire. */
const AT_TTL_S = 2;

describe('web-bff sign-in: OIDC token handler with the real sandbox IdP', () => {
  let stack: WebAuthStack;
  beforeAll(async () => {
    stack = await startWebAuthStack({ accessTokenTtlSeconds: AT_TTL_S, env: { SESSION_REFRESH_SKEW_SECONDS: '1' } });
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const url = (path: string): string => `${stack.url}${path}`;

  /** Signs in, checks it worked, and returns the jar holding the session. */
  async function signIn(jar = new CookieJar(), returnTo?: string): Promise<{ jar: CookieJar; sessionId: string; callback: Response }> {
    const login = await browserLogin(stack.url, jar, { returnTo });
    expect(login.response?.status).toBe(302);
    expect(login.sessionId).toEqual(expect.any(String));
    return { jar, sessionId: login.sessionId!, callback: login.response! };
  }

  /** A jar holding only the session cookie `value` (what an attacker or a second tab would send). */
  function jarWithSession(value: string): CookieJar {
    const jar = new CookieJar();
    jar.set(stack.url, PROD_SESSION_COOKIE, value, 'Path=/; Secure; HttpOnly; SameSite=Strict');
    return jar;
  }

  it('signs in through the real login and consent forms and lands on returnTo with a Strict, host-only session cookie', async () => {
    const jar = new CookieJar();
    const login = await browserLogin(stack.url, jar, { returnTo: '/account/orders?tab=open#latest' });

    // The path the browser took: BFF → IdP (login form, consent) → back to the BFF callback, cross-site.
    const callbackStep = login.steps.at(-1)!;
    expect(callbackStep.url).toMatch(new RegExp(`^${stack.url}/auth/callback\\?code=`));
    expect(callbackStep.crossSite).toBe(true);
    expect(login.steps.some((s) => s.url.startsWith(`${stack.idp.issuer}/interaction/`) && s.method === 'POST')).toBe(true);

    const callback = login.response!;
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/account/orders?tab=open#latest');
    expect(callback.headers.get('cache-control')).toBe('no-store');

    const session = setCookieLine(callback, PROD_SESSION_COOKIE)!;
    expect(session).toMatch(/^__Host-bff-session=[A-Za-z0-9_-]{43};/);
    const attributes = session
      .split(';')
      .slice(1)
      .map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict']));
    expect(attributes.some((a) => /^domain=/i.test(a))).toBe(false);
    const maxAge = Number(/Max-Age=(\d+)/.exec(session)?.[1]);
    expect(maxAge).toBeGreaterThan(28_000);
    expect(maxAge).toBeLessThanOrEqual(28_800);
    // The one-time login cookie is cleared by the callback.
    expect(loginCookieLines(callback)).toEqual([expect.stringMatching(/^__Host-bff-login-[A-Za-z0-9_-]{12}=; .*Max-Age=0/)]);
    expect(jarLoginCookies(jar, stack.url)).toEqual([]);
    // A browser would have accepted every cookie (prefix rules, Secure on loopback).
    expect(jar.rejected).toEqual([]);
  });

  it('sets the pending-login cookie SameSite=Lax (it must survive the cross-site redirect back) and sends the browser to the IdP with PKCE, state and nonce', async () => {
    const res = await fetch(url('/auth/login?returnTo=/checkout'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${stack.idp.issuer}/auth`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: 'web-bff',
      response_type: 'code',
      redirect_uri: url('/auth/callback'),
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      state: expect.any(String),
      nonce: expect.any(String),
    });
    expect(location.searchParams.get('scope')!.split(' ').sort()).toEqual([
      'cart:write',
      'customers:read',
      'email',
      'openid',
      'orders:read',
      'orders:write',
      'profile',
    ]);
    const [login] = loginCookieLines(res);
    expect(login).toMatch(/^__Host-bff-login-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]{100,}; Path=\/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/);
    // The pending login is sealed (AES-256-GCM): neither the state nor the nonce can be read from the cookie.
    const sealed = Buffer.from(login.slice(login.indexOf('=') + 1, login.indexOf(';')), 'base64url').toString('latin1');
    expect(sealed).not.toContain(location.searchParams.get('state')!);
    expect(sealed).not.toContain(location.searchParams.get('nonce')!);
  });

  it('answers /auth/user with the claims of the signed-in user, and 401 problem+json when signed out', async () => {
    const { jar } = await signIn();
    const res = await spaFetch(jar, url('/auth/user'));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      sub: KNOWN_IDS.customer,
      email: KNOWN_IDS.customerEmail,
      emailVerified: true,
      name: 'Alice Anderson',
      givenName: 'Alice',
      familyName: 'Anderson',
      locale: 'en-GB',
      scopes: ['customers:read', 'cart:write', 'orders:read', 'orders:write'],
    });
    // Tokens stay on the server.
    expect(JSON.stringify(body)).not.toMatch(/eyJ/);

    await expectProblem(await spaFetch(new CookieJar(), url('/auth/user')), 401, 'session-required');
    await expectProblem(await spaFetch(jarWithSession('x'.repeat(43)), url('/auth/user')), 401, 'session-expired');
  });

  it('rotates the session id at login: a planted id is never adopted, and the previous session dies', async () => {
    const planted = 'attacker-chosen-session-id-0123456789abcdef';
    const jar = jarWithSession(planted);
    const first = await browserLogin(stack.url, jar);
    expect(first.sessionId).toEqual(expect.any(String));
    expect(first.sessionId).not.toBe(planted);
    await expectProblem(await spaFetch(jarWithSession(planted), url('/auth/user')), 401, 'session-expired');

    // Signing in again in the same browser: a new id, and the old one no longer works anywhere.
    const second = await browserLogin(stack.url, jar);
    expect(second.sessionId).toEqual(expect.any(String));
    expect(second.sessionId).not.toBe(first.sessionId);
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);
    await expectProblem(await spaFetch(jarWithSession(first.sessionId!), url('/auth/user')), 401, 'session-expired');
  });

  it.each([
    ['scheme-relative', '//evil.example/x'],
    ['backslash', '/\\evil.example'],
    ['absolute', 'https://evil.example/'],
    ['javascript', 'javascript:alert(1)'],
    ['encoded slashes', '/%2F%2Fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['double-encoded', '/%252F%252Fevil.example'],
    ['tab trick', '/\t/evil.example'],
    ['no leading slash', 'evil.example'],
  ])('refuses an off-site returnTo (%s) with 400 and never redirects', async (_name, returnTo) => {
    const res = await fetch(url(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`), { redirect: 'manual' });
    await expectProblem(res, 400, 'invalid-return-to');
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('requires X-CSRF: 1 on every session call and every state-changing call (403 problem+json)', async () => {
    const { jar } = await signIn();
    await expectProblem(await spaFetch(jar, url('/api/v1/me'), { csrf: false }), 403, 'csrf-header-required');
    await expectProblem(await spaFetch(jar, url('/api/v1/me'), { csrf: false, headers: { 'x-csrf': '0' } }), 403, 'csrf-header-required');
    await expectProblem(await spaFetch(jar, url('/auth/user'), { csrf: false }), 403, 'csrf-header-required');
    // Logout is CSRF-protected: without the header the session survives.
    await expectProblem(await spaFetch(jar, url('/auth/logout'), { method: 'POST', csrf: false }), 403, 'csrf-header-required');
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);
    // A public state-changing /api call too.
    const ids = { ids: [KNOWN_IDS.product] };
    await expectProblem(
      await spaFetch(new CookieJar(), url('/api/v1/products/availability'), { method: 'POST', csrf: false, body: ids }),
      403,
      'csrf-header-required',
    );
    expect((await spaFetch(new CookieJar(), url('/api/v1/products/availability'), { method: 'POST', body: ids })).status).toBe(200);
    // A browser-stated Origin outside the allowlist is refused even with the header.
    await expectProblem(
      await spaFetch(jar, url('/api/v1/me'), { headers: { origin: 'https://evil.example.net' } }),
      403,
      'csrf-origin-refused',
    );
    expect((await spaFetch(jar, url('/api/v1/me'), { headers: { origin: SPA_ORIGIN } })).status).toBe(200);
  });

  it('lets only the allowlisted origin preflight X-CSRF with credentials (CORS)', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(url('/api/v1/me'), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-csrf' },
      });
    const evil = await preflight('https://evil.example.net');
    // Without Access-Control-Allow-Origin the browser refuses the preflight, so the real request is never sent.
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await preflight(SPA_ORIGIN);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(
      allowed.headers
        .get('access-control-allow-headers')
        ?.split(',')
        .map((h) => h.trim()),
    ).toContain('x-csrf');
  });

  it("relays the session's access token to the customers service (auth: 'relay'), and to no other upstream", async () => {
    const { jar } = await signIn();
    const me = await spaFetch(jar, url('/api/v1/me'));
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: KNOWN_IDS.customer, email: KNOWN_IDS.customerEmail, givenName: 'Alice', tier: 'gold' });
    const relayed = (await stack.sandbox.admin.stats('customers')).lastHeaders.authorization as string;
    expect(relayed).toMatch(/^Bearer ey/);
    expect(jwtClaims(relayed.slice('Bearer '.length))).toMatchObject({
      sub: KNOWN_IDS.customer,
      aud: API_RESOURCE,
      iss: stack.idp.issuer,
      client_id: 'web-bff',
    });

    expect((await spaFetch(jar, url(`/api/v1/pages/product/${KNOWN_IDS.product}`))).status).toBe(200);
    const catalog = (await stack.sandbox.admin.stats('catalog')).lastHeaders;
    expect(catalog.authorization).toBeUndefined();
    expect(catalog.cookie).toBeUndefined();
  });

  it('sends the personal answers (/api/v1/me, /auth/user) with Cache-Control: no-store and Vary: Cookie, refusals too', async () => {
    const { jar } = await signIn();
    for (const path of ['/api/v1/me', '/auth/user']) {
      const res = await spaFetch(jar, url(path));
      expect(res.status, path).toBe(200);
      expectNotStored(res, 'cookie');
    }
    const refused = await spaFetch(new CookieJar(), url('/api/v1/me'));
    expectNotStored(refused, 'cookie');
    await expectProblem(refused, 401, 'session-required');
  });

  it('refuses a callback without a pending login, with a forged state, or replayed', async () => {
    const fresh = await fetch(url('/auth/callback?code=abc&state=xyz'), { redirect: 'manual' });
    await expectProblem(fresh, 400, 'login-state-missing');

    const jar = new CookieJar();
    await browse({ start: url('/auth/login'), cookieJar: jar, stopBefore: stack.idp.issuer });
    const forged = await spaFetch(jar, url('/auth/callback?code=attacker-code&state=attacker-state'), { csrf: false });
    await expectProblem(forged, 400, 'login-state-mismatch');
    expect(stack.idp.stats().tokenRequests.authorization_code ?? 0).toBe(0);
  });

  it('answers 400 login-failed (reason access_denied) when the user denies consent, and creates no session', async () => {
    const jar = new CookieJar();
    const login = await browserLogin(stack.url, jar, { consent: 'deny' });
    expect(login.url.searchParams.get('error')).toBe('access_denied');
    const body = await expectProblem(login.response!, 400, 'login-failed');
    expect(body.reason).toBe('access_denied');
    expect(login.sessionId).toBeUndefined();
  });

  it('logs out: session gone, refresh token revoked at the IdP, and the end-session URL ends the IdP session', async () => {
    const { jar, sessionId } = await signIn();
    const res = await spaFetch(jar, url('/auth/logout'), { method: 'POST' });
    expect(res.status).toBe(200);
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toMatch(/^__Host-bff-session=; Path=\/; Max-Age=0; HttpOnly; Secure; SameSite=Strict$/);
    const { endSessionUrl } = (await res.json()) as { endSessionUrl: string };
    const end = new URL(endSessionUrl);
    expect(end.origin + end.pathname).toBe(`${stack.idp.issuer}/session/end`);
    expect(Object.fromEntries(end.searchParams)).toEqual({ client_id: 'web-bff', post_logout_redirect_uri: url('/') });
    expect(stack.idp.stats().revocations).toBe(1);

    await expectProblem(await spaFetch(jarWithSession(sessionId), url('/auth/user')), 401, 'session-expired');
    // Logging out twice is fine.
    expect((await spaFetch(jar, url('/auth/logout'), { method: 'POST' })).status).toBe(200);

    // The SPA navigates to the end-session URL; the user confirms; back on the post-logout page.
    const out = await logoutViaForms({ endSessionUrl, cookieJar: jar, postLogoutRedirectUri: url('/'), initiatorOrigin: stack.url });
    expect(out.url.href).toBe(url('/'));
    expect(stack.idp.stats().endSessions).toBe(1);
    // No single sign-on any more: signing in shows the IdP login form again.
    const again = await browse({
      start: url('/auth/login'),
      cookieJar: jar,
      initiatorOrigin: stack.url,
      stopBefore: url('/auth/callback'),
      fill: () => false,
    });
    expect(await again.response!.text()).toContain('name="password"');
  });

  it('refreshes an expiring access token transparently; the new token is the one relayed', async () => {
    const { jar } = await signIn();
    expect((await spaFetch(jar, url('/api/v1/me'))).status).toBe(200);
    const before = (await stack.sandbox.admin.stats('customers')).lastHeaders.authorization;
    expect(stack.idp.stats().refreshes).toBe(0);

    await sleep(AT_TTL_S * 1000 + 200);
    expect((await spaFetch(jar, url('/api/v1/me'))).status).toBe(200);
    expect(stack.idp.stats().refreshes).toBe(1);
    const after = (await stack.sandbox.admin.stats('customers')).lastHeaders.authorization;
    expect(after).not.toBe(before);
    expect(jwtClaims(String(after).slice('Bearer '.length)).exp).toBeGreaterThan(
      jwtClaims(String(before).slice('Bearer '.length)).exp as number,
    );
  });

  it('refreshes once for many concurrent requests (single-flight): the IdP sees exactly one refresh', async () => {
    const { jar } = await signIn();
    await sleep(AT_TTL_S * 1000 + 200);
    const answers = await Promise.all(Array.from({ length: 12 }, () => spaFetch(jar, url('/api/v1/me'))));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(stack.idp.stats()).toMatchObject({
      refreshes: 1,
      refreshFailures: 0,
      tokenRequests: { authorization_code: 1, refresh_token: 1 },
    });
    // Rotation worked: a later refresh with the rotated token succeeds.
    await sleep(AT_TTL_S * 1000 + 200);
    expect((await spaFetch(jar, url('/api/v1/me'))).status).toBe(200);
    expect(stack.idp.stats().refreshes).toBe(2);
  });

  it('ends the session cleanly when the IdP refuses the refresh: 401, cookie cleared, session gone', async () => {
    const { jar, sessionId } = await signIn();
    stack.idp.setTokenFaults([{ grantType: 'refresh_token', error: 'invalid_grant', times: 1 }]);
    await sleep(AT_TTL_S * 1000 + 200);
    const res = await spaFetch(jar, url('/api/v1/me'));
    await expectProblem(res, 401, 'session-expired');
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toMatch(/Max-Age=0/);
    expect(stack.idp.stats()).toMatchObject({ refreshFailures: 1, refreshes: 0 });
    // Gone server-side, not just from this browser: the fault is spent, the id still does not work.
    await expectProblem(await spaFetch(jarWithSession(sessionId), url('/auth/user')), 401, 'session-expired');
    expect(stack.idp.stats().tokenRequests.refresh_token).toBe(1);
  });

  it('keeps the session when the IdP is briefly unavailable: 503 with Retry-After, then a successful refresh', async () => {
    const { jar } = await signIn();
    stack.idp.setTokenFaults([{ grantType: 'refresh_token', status: 503, times: 1 }]);
    await sleep(AT_TTL_S * 1000 + 200);
    const failed = await spaFetch(jar, url('/api/v1/me'));
    expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
    await expectProblem(failed, 503, 'auth-provider-unavailable');
    expect(setCookieLine(failed, PROD_SESSION_COOKIE)).toBeUndefined();
    expect((await spaFetch(jar, url('/api/v1/me'))).status).toBe(200);
    expect(stack.idp.stats()).toMatchObject({ refreshes: 1, refreshFailures: 1 });
  });
});

describe('web-bff session cookie modes and configuration', () => {
  it('dev mode (localhost over http): a cookie without Secure and without the __Host- prefix', async () => {
    const stack = await startWebAuthStack({ env: { SESSION_COOKIE_DEV_MODE: 'true' } });
    try {
      const jar = new CookieJar();
      const login = await browserLogin(stack.url, jar, { cookieName: 'bff-session' });
      const line = setCookieLine(login.response!, 'bff-session')!;
      expect(line).toMatch(/^bff-session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
      expect(jar.get(stack.url, PROD_SESSION_COOKIE)).toBeUndefined();
      expect((await spaFetch(jar, `${stack.url}/auth/user`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('refuses to boot with the cookie dev mode in production, naming the variable', async () => {
    const env = {
      NODE_ENV: 'production',
      UPSTREAM_CATALOG_URL: 'http://127.0.0.1:9',
      ...WEB_AUTH_OFFLINE_ENV,
      SESSION_COOKIE_DEV_MODE: 'true',
    };
    /** What createPlatformApp (and so main.ts) throws with `e`, validating it first; runApp prints the message and exits 1. */
    const bootError = async (e: Record<string, string | undefined>): Promise<Error | undefined> => {
      try {
        await (await createPlatformApp(WebBffModule, WEB_BFF, { env: e })).close();
        return undefined;
      } catch (error) {
        return error as Error;
      }
    };
    const refused = await bootError(env);
    expect(refused?.name).toBe('ConfigValidationError');
    expect(refused?.message).toMatch(/SESSION_COOKIE_DEV_MODE=true is refused when NODE_ENV is production/);
    // Unset NODE_ENV means production too.
    expect((await bootError({ ...env, NODE_ENV: undefined }))?.message).toMatch(/SESSION_COOKIE_DEV_MODE=true is refused/);
    // Outside production the flag is accepted, and production without it is fine.
    expect((await bootError({ ...env, NODE_ENV: 'development' }))?.message ?? '').not.toContain('SESSION_COOKIE_DEV_MODE');
    expect((await bootError({ ...env, SESSION_COOKIE_DEV_MODE: undefined }))?.message ?? '').not.toContain('SESSION_COOKIE_DEV_MODE');
  });
});
