import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { LoginFlow } from './login-flow.service.js';
import type { OidcClient } from './oidc-client.js';
import { SessionDirectory } from './session-directory.js';
import { SessionResolver } from './session-resolver.service.js';
import { errorCode, FakeOidc, loginCookie, sessionConfig, signIn, testSealer } from './session.fixtures.test.js';
import { MemorySessionStore } from './session.store.js';

describe('LoginFlow', () => {
  let now: number;
  let store: MemorySessionStore;
  let oidc: FakeOidc;
  let loginFlow: LoginFlow;
  let resolver: SessionResolver;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    store = new MemorySessionStore(1_000);
    oidc = new FakeOidc();
    loginFlow = new LoginFlow(
      sessionConfig(),
      oidc as unknown as OidcClient,
      store,
      testSealer(),
      new SessionDirectory(sessionConfig(), oidc as unknown as OidcClient, store),
    );
    resolver = new SessionResolver(sessionConfig(), oidc as unknown as OidcClient, store);
  });
  afterEach(() => vi.restoreAllMocks());

  it('revokes the refresh token and forgets the session on logout; logout is idempotent', async () => {
    const headers = await signIn(loginFlow, oidc);
    const out = await loginFlow.logout(headers);
    expect(out.endSessionUrl).toBe('https://idp.example.com/session/end?client_id=web-bff');
    expect(out.cookies).toEqual(['__Host-bff-session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict']);
    expect(oidc.revoked).toEqual(['rt-1']);
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
    await expect(loginFlow.logout(headers)).resolves.toMatchObject({ endSessionUrl: expect.any(String) });
    expect(oidc.revoked).toEqual(['rt-1']);
  });

  /** Starts a login in a browser whose Cookie header is `cookie`; returns its state and its cookie pair. */
  async function begin(cookie = ''): Promise<{ state: string; pair: string; cookies: readonly string[] }> {
    const begun = await loginFlow.beginLogin(undefined, cookie ? { cookie } : {});
    return { state: oidc.state, pair: loginCookie(begun.cookies), cookies: begun.cookies };
  }
  const complete = (state: string, cookie: string) => loginFlow.completeLogin(`code=c&state=${encodeURIComponent(state)}`, { cookie });

  it('keeps pending logins out of the session store: anonymous sign-in starts never evict a live session', async () => {
    const small = new MemorySessionStore(5);
    const flow = new LoginFlow(
      sessionConfig(),
      oidc as unknown as OidcClient,
      small,
      testSealer(),
      new SessionDirectory(sessionConfig(), oidc as unknown as OidcClient, small),
    );
    const headers = await signIn(flow, oidc);
    for (let i = 0; i < 50; i++) await flow.beginLogin('/account', {});
    await expect(new SessionResolver(sessionConfig(), oidc as unknown as OidcClient, small).resolve(headers)).resolves.toMatchObject({
      identity: { subject: 'c-0001' },
    });
  });

  it('seals the pending login into a Lax cookie named from its state, holding no readable state, nonce or verifier', async () => {
    const { state, pair, cookies } = await begin();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^__Host-bff-login-[A-Za-z0-9_-]{12}=[A-Za-z0-9_-]+; Path=\/; Max-Age=600; HttpOnly; Secure; SameSite=Lax$/);
    const value = pair.slice(pair.indexOf('=') + 1);
    expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain(state);
    expect(value).not.toContain(state);
  });

  it('completes logins of several tabs in any order; a fourth login drops the oldest', async () => {
    const first = await begin();
    now += 1_000;
    const second = await begin(first.pair);
    now += 1_000;
    const third = await begin(`${first.pair}; ${second.pair}`);
    const jar = `${first.pair}; ${second.pair}; ${third.pair}`;
    expect((await complete(second.state, jar)).location).toBe('/');
    expect((await complete(first.state, jar)).location).toBe('/');

    now += 1_000;
    const fourth = await begin(jar);
    // The oldest (first) is cleared to keep at most three; the others stay.
    const firstName = first.pair.slice(0, first.pair.indexOf('='));
    expect(fourth.cookies.filter((line) => line.includes('Max-Age=0'))).toEqual([expect.stringMatching(new RegExp(`^${firstName}=;`))]);
    const browser = `${second.pair}; ${third.pair}; ${fourth.pair}`;
    expect(await errorCode(complete(first.state, browser))).toBe('LOGIN_STATE_MISMATCH');
    expect((await complete(third.state, browser)).location).toBe('/');
    expect((await complete(fourth.state, browser)).location).toBe('/');
  });

  it('drops unreadable and expired login cookies when a new login starts', async () => {
    const old = await begin();
    now += 601_000;
    const forgedName = '__Host-bff-login-AAAAAAAAAAAA';
    const started = await begin(`${old.pair}; ${forgedName}=${'A'.repeat(80)}`);
    const cleared = started.cookies.filter((line) => line.includes('Max-Age=0')).map((line) => line.slice(0, line.indexOf('=')));
    expect(cleared.sort()).toEqual([forgedName, old.pair.slice(0, old.pair.indexOf('='))].sort());
  });

  it('refuses a callback without a login cookie, for another state, tampered, sealed with another key, or expired', async () => {
    const { state, pair } = await begin();
    expect(await errorCode(complete(state, ''))).toBe('LOGIN_STATE_MISSING');
    expect(await errorCode(complete('another-state', pair))).toBe('LOGIN_STATE_MISMATCH');
    expect(await errorCode(loginFlow.completeLogin('code=c', { cookie: pair }))).toBe('LOGIN_STATE_MISMATCH');

    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    const flipped = `${value.slice(0, 30)}${value[30] === 'A' ? 'B' : 'A'}${value.slice(31)}`;
    expect(await errorCode(complete(state, `${name}=${flipped}`))).toBe('LOGIN_STATE_INVALID');

    const otherKey = new LoginFlow(
      sessionConfig(),
      oidc as unknown as OidcClient,
      store,
      testSealer(),
      new SessionDirectory(sessionConfig(), oidc as unknown as OidcClient, store),
    );
    expect(await errorCode(otherKey.completeLogin(`code=c&state=${state}`, { cookie: pair }))).toBe('LOGIN_STATE_INVALID');

    now += 600_000;
    expect(await errorCode(complete(state, pair))).toBe('LOGIN_EXPIRED');
  });

  it('redeems the code with the very state, nonce and PKCE verifier it sent, and lands on the sealed returnTo', async () => {
    const authorize = vi.spyOn(oidc, 'authorizationUrl');
    const exchange = vi.spyOn(oidc, 'exchangeCode');
    const begun = await loginFlow.beginLogin('/account/orders?tab=open', {});
    const done = await complete(oidc.state, loginCookie(begun.cookies));
    expect(done.location).toBe('/account/orders?tab=open');
    const sent = authorize.mock.calls[0][0];
    expect(sent.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(exchange.mock.calls[0][1]).toMatchObject({ state: sent.state, nonce: sent.nonce, codeVerifier: sent.codeVerifier });
  });
});
