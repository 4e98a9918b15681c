import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { browse, CookieJar, DEV_PASSWORD, KNOWN_IDS, loginViaForms } from '../sandbox/src/index.ts';
import { expectProblem } from './support/stack.js';
import { browserLogin, jarLoginCookies, loginCookieLines, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

/** The smallest in-memory session store the env allows: anonymous sign-in starts exceed it ten times over below. */
const SESSION_CAP = 100;
const LOGIN_LIMIT = 20;
const ANONYMOUS_LOGINS = SESSION_CAP * 10;
/** Each address stays under the sign-in budget. */
const ADDRESSES = Math.ceil(ANONYMOUS_LOGINS / (LOGIN_LIMIT - 3));

describe('web-bff pending logins: sealed cookies, no server storage, a sign-in budget of their own', () => {
  let stack: WebAuthStack;
  beforeAll(async () => {
    stack = await startWebAuthStack({
      env: {
        SESSION_MAX_IN_MEMORY: String(SESSION_CAP),
        AUTH_LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
        AUTH_LOGIN_RATE_WINDOW_MS: '60000',
        // Behind a load balancer: the client address comes from X-Forwarded-For.
        TRUST_PROXY: 'true',
      },
    });
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const url = (path: string): string => `${stack.url}${path}`;
  let nextAddress = 1;
  /** A client address no other test used (the sign-in budget is per address). */
  const freshAddress = (): string => `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;
  const anonymousLogin = (address: string): Promise<Response> =>
    fetch(url('/auth/login?returnTo=/account'), { redirect: 'manual', headers: { 'x-forwarded-for': address } });

  /** Signs in through the real forms; returns the jar holding the session. */
  async function signIn(): Promise<CookieJar> {
    const jar = new CookieJar();
    const login = await loginViaForms({
      authorizeUrl: new URL(url('/auth/login')),
      email: KNOWN_IDS.customerEmail,
      password: DEV_PASSWORD,
      cookieJar: jar,
      initiatorOrigin: stack.url,
      stopAfter: (next) => next.origin === stack.url && next.pathname === '/auth/callback',
    });
    expect(login.response?.status).toBe(302);
    return jar;
  }

  it(`keeps a live session through ${ANONYMOUS_LOGINS} anonymous sign-in starts from ${ADDRESSES} addresses, each under the budget`, async () => {
    const jar = await signIn();
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);

    const addresses = Array.from({ length: ADDRESSES }, () => freshAddress());
    const statuses = new Map<number, number>();
    let sent = 0;
    // 16 concurrent clients, round-robin over the addresses.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < ANONYMOUS_LOGINS) {
          const address = addresses[sent++ % ADDRESSES];
          const res = await anonymousLogin(address);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 302: ANONYMOUS_LOGINS });

    const user = await spaFetch(jar, url('/auth/user'));
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ sub: KNOWN_IDS.customer });
  }, 60_000);

  it(`answers the ${LOGIN_LIMIT + 1}th sign-in start of one address within the window with 429 rate-limited, Retry-After and the login budget`, async () => {
    const address = freshAddress();
    for (let i = 1; i <= LOGIN_LIMIT; i++) {
      const res = await anonymousLogin(address);
      expect(res.status, `start ${i}`).toBe(302);
      expect(res.headers.get('ratelimit-policy')).toBe(`"login";q=${LOGIN_LIMIT};w=60`);
      expect(res.headers.get('ratelimit')).toMatch(new RegExp(`^"login";r=${LOGIN_LIMIT - i};t=\\d+$`));
    }
    const refused = await anonymousLogin(address);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit')).toMatch(/^"login";r=0;t=\d+$/);
    expect(refused.headers.get('location')).toBeNull();
    expect(loginCookieLines(refused)).toEqual([]);
    await expectProblem(refused, 429, 'rate-limited');
    // Another address has its own budget, and the refused one can still browse (the general budget).
    expect((await anonymousLogin(freshAddress())).status).toBe(302);
    const page = await fetch(url(`/api/v1/pages/product/${KNOWN_IDS.product}`), { headers: { 'x-forwarded-for': address } });
    expect(page.status).toBe(200);
  });

  it('refuses a tampered login cookie at the callback with 400 login-state-invalid and clears it', async () => {
    const jar = new CookieJar();
    const started = await browse({ start: url('/auth/login'), cookieJar: jar, stopBefore: stack.idp.issuer });
    const state = started.url.searchParams.get('state')!;
    const [cookie] = jarLoginCookies(jar, stack.url);
    const bytes = Buffer.from(cookie.value, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    const res = await fetch(url(`/auth/callback?code=any&state=${encodeURIComponent(state)}`), {
      redirect: 'manual',
      headers: { cookie: `${cookie.name}=${bytes.toString('base64url')}` },
    });
    await expectProblem(res, 400, 'login-state-invalid');
    expect(loginCookieLines(res)).toEqual([expect.stringMatching(new RegExp(`^${cookie.name}=; .*Max-Age=0`))]);
    expect(stack.idp.stats().tokenRequests.authorization_code ?? 0).toBe(0);
  });

  it('refuses a replayed callback: the browser no longer has the cookie, and a captured copy meets the spent code', async () => {
    const jar = new CookieJar();
    const started = await browse({ start: url('/auth/login'), cookieJar: jar, stopBefore: stack.idp.issuer });
    const [captured] = jarLoginCookies(jar, stack.url);
    const login = await loginViaForms({
      authorizeUrl: started.url,
      email: KNOWN_IDS.customerEmail,
      password: DEV_PASSWORD,
      cookieJar: jar,
      initiatorOrigin: stack.url,
      stopAfter: (next) => next.origin === stack.url && next.pathname === '/auth/callback',
    });
    expect(login.response?.status).toBe(302);
    const callbackUrl = login.steps.at(-1)!.url;

    // The browser replays: its login cookie was cleared by the callback.
    const again = await spaFetch(jar, callbackUrl, { csrf: false });
    await expectProblem(again, 400, 'login-state-missing');
    // An attacker replays with a captured copy: the provider refuses the code a second time.
    const replayed = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: `${captured.name}=${captured.value}` } });
    const body = await expectProblem(replayed, 400, 'login-failed');
    expect(body.reason).toBe('invalid_grant');
    expect(stack.idp.stats().tokenRequests.authorization_code).toBe(2);
  });

  it('completes the logins of two tabs of one browser, the second tab first', async () => {
    const jar = new CookieJar();
    const firstTab = await browse({ start: url('/auth/login?returnTo=/tab-one'), cookieJar: jar, stopBefore: stack.idp.issuer });
    const secondTab = await browserLogin(stack.url, jar, { returnTo: '/tab-two' });
    expect(secondTab.response?.status).toBe(302);
    expect(secondTab.response?.headers.get('location')).toBe('/tab-two');
    // The first tab's login cookie survived the second tab's sign-in.
    expect(jarLoginCookies(jar, stack.url)).toHaveLength(1);

    const first = await loginViaForms({
      authorizeUrl: firstTab.url,
      email: KNOWN_IDS.customerEmail,
      password: DEV_PASSWORD,
      cookieJar: jar,
      initiatorOrigin: stack.url,
      stopAfter: (next) => next.origin === stack.url && next.pathname === '/auth/callback',
    });
    expect(first.response?.status).toBe(302);
    expect(first.response?.headers.get('location')).toBe('/tab-one');
    expect(jarLoginCookies(jar, stack.url)).toEqual([]);
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);
  });
});
