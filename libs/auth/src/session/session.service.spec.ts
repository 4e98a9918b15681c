import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import type { CoreEnv } from '@bff/core';

import { OidcRejectedError, OidcUnavailableError, type OidcClient, type TokenResult } from './oidc-client.js';
import { SessionConfig } from './session.config.js';
import { sessionAuthEnv, type SessionAuthEnv } from './session.env.js';
import { SessionService } from './session.service.js';
import { MemorySessionStore, type SessionStore } from './session.store.js';

const IDLE_S = 600;
const ABSOLUTE_S = 3_600;

function config(): SessionConfig {
  const { value } = sessionAuthEnv.parse({
    NODE_ENV: 'test',
    OIDC_ISSUER_URL: 'https://idp.example.com',
    OIDC_CLIENT_ID: 'web-bff',
    OIDC_CLIENT_SECRET: 'a-long-client-secret',
    OIDC_REDIRECT_URI: 'https://shop.example.com/auth/callback',
    SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_S),
    SESSION_ABSOLUTE_TIMEOUT_SECONDS: String(ABSOLUTE_S),
    SESSION_REFRESH_SKEW_SECONDS: '30',
  });
  return new SessionConfig(value as SessionAuthEnv, { CORS_ORIGINS: [] } as unknown as CoreEnv, 'web-bff', {
    scopes: ['openid', 'profile'],
  });
}

/** A scripted OpenID provider. */
class FakeOidc {
  state = '';
  refreshes = 0;
  revoked: string[] = [];
  private counter = 0;
  refreshImpl: (refreshToken: string) => Promise<TokenResult> = () => Promise.resolve(this.tokens());
  exchangeImpl: () => Promise<TokenResult> = () => Promise.resolve(this.tokens());

  tokens(overrides: Partial<TokenResult> = {}): TokenResult {
    this.counter += 1;
    return {
      accessToken: `at-${this.counter}`,
      expiresIn: 300,
      refreshToken: `rt-${this.counter}`,
      refreshExpiresIn: undefined,
      scope: 'customers:read',
      idTokenClaims: { sub: 'c-0001', email: 'alice@example.com', name: 'Alice Anderson', nonce: 'n' },
      ...overrides,
    };
  }

  authorizationUrl(checks: { state: string }): Promise<URL> {
    this.state = checks.state;
    return Promise.resolve(new URL('https://idp.example.com/auth'));
  }
  exchangeCode(): Promise<TokenResult> {
    return this.exchangeImpl();
  }
  refresh(refreshToken: string): Promise<TokenResult> {
    this.refreshes += 1;
    return this.refreshImpl(refreshToken);
  }
  revoke(refreshToken: string): Promise<void> {
    this.revoked.push(refreshToken);
    return Promise.resolve();
  }
  endSessionUrl(): Promise<string> {
    return Promise.resolve('https://idp.example.com/session/end?client_id=web-bff');
  }
}

const cookieValue = (cookies: readonly string[], name: string): string => {
  const line = cookies.find((c) => c.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${cookies.join(' | ')}`);
  return line.slice(name.length + 1, line.indexOf(';'));
};

describe('SessionService', () => {
  let now: number;
  let store: MemorySessionStore;
  let oidc: FakeOidc;
  let service: SessionService;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    now = Date.parse('2030-01-01T00:00:00Z');
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    store = new MemorySessionStore(1_000);
    oidc = new FakeOidc();
    service = new SessionService(config(), oidc as unknown as OidcClient, store);
  });
  afterEach(() => vi.restoreAllMocks());

  async function signIn(on: SessionService = service): Promise<Record<string, string>> {
    const begun = await on.beginLogin('/account', {});
    const loginId = cookieValue(begun.cookies, '__Host-bff-login');
    const done = await on.completeLogin(`code=c&state=${oidc.state}`, { cookie: `__Host-bff-login=${loginId}` });
    expect(done.location).toBe('/account');
    return { cookie: `__Host-bff-session=${cookieValue(done.cookies, '__Host-bff-session')}` };
  }

  const code = (promise: Promise<unknown>): Promise<string | undefined> =>
    promise.then(
      () => undefined,
      (error: unknown) => (error as { code?: string }).code,
    );

  it('ends an idle session, and deletes it', async () => {
    const headers = await signIn();
    now += (IDLE_S - 1) * 1000;
    await expect(service.resolve(headers)).resolves.toMatchObject({ identity: { subject: 'c-0001' } });
    now += IDLE_S * 1000 - 500;
    // Used 599 s ago at most: still alive (the last use was recorded).
    await expect(service.resolve(headers)).resolves.toBeDefined();
    now += (IDLE_S + 1) * 1000;
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
    now -= (IDLE_S + 1) * 1000;
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('ends a session at its absolute timeout however busy it is', async () => {
    const headers = await signIn();
    for (let t = 0; t < ABSOLUTE_S - 300; t += 300) {
      now += 300_000;
      await expect(service.resolve(headers)).resolves.toBeDefined();
    }
    now += 600_000;
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('refreshes before expiry with the stored refresh token and stores the rotated one', async () => {
    const headers = await signIn();
    now += (300 - 31) * 1000;
    expect((await service.resolve(headers)).accessToken).toBe('at-1');
    now += 2_000;
    expect((await service.resolve(headers)).accessToken).toBe('at-2');
    now += 280_000;
    const seen: string[] = [];
    oidc.refreshImpl = (rt) => {
      seen.push(rt);
      return Promise.resolve(oidc.tokens());
    };
    expect((await service.resolve(headers)).accessToken).toBe('at-3');
    expect(seen).toEqual(['rt-2']);
  });

  it('shares one refresh among concurrent requests of one instance', async () => {
    const headers = await signIn();
    now += 300_000;
    oidc.refreshImpl = () => new Promise((resolve) => setTimeout(() => resolve(oidc.tokens()), 50));
    const results = await Promise.all(Array.from({ length: 8 }, () => service.resolve(headers)));
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set(['at-2']));
    expect(oidc.refreshes).toBe(1);
  });

  it('shares one refresh among instances through the lease; waiters re-read the session', async () => {
    const other = new SessionService(config(), oidc as unknown as OidcClient, store);
    const headers = await signIn();
    now += 300_000;
    oidc.refreshImpl = () => new Promise((resolve) => setTimeout(() => resolve(oidc.tokens()), 150));
    const results = await Promise.all([service.resolve(headers), other.resolve(headers), other.resolve(headers), service.resolve(headers)]);
    expect(results.map((r) => r.accessToken)).toEqual(['at-2', 'at-2', 'at-2', 'at-2']);
    expect(oidc.refreshes).toBe(1);
  });

  it('goes on with a still-valid token while another instance refreshes', async () => {
    const other = new SessionService(config(), oidc as unknown as OidcClient, store);
    const headers = await signIn();
    now += 280_000; // inside the 30 s skew, 20 s before expiry
    oidc.refreshImpl = () => new Promise((resolve) => setTimeout(() => resolve(oidc.tokens()), 150));
    const holder = service.resolve(headers);
    await new Promise((r) => setTimeout(r, 20));
    expect((await other.resolve(headers)).accessToken).toBe('at-1');
    expect((await holder).accessToken).toBe('at-2');
  });

  it('ends the session when the provider refuses the refresh, and keeps it when the provider is down', async () => {
    const headers = await signIn();
    now += 300_000;
    oidc.refreshImpl = () => Promise.reject(new OidcUnavailableError('down'));
    expect(await code(service.resolve(headers))).toBe('AUTH_PROVIDER_UNAVAILABLE');
    oidc.refreshImpl = () => Promise.reject(new OidcRejectedError('invalid_grant', 'refused'));
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
    oidc.refreshImpl = () => Promise.resolve(oidc.tokens());
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('ends the session when a refreshed ID token names someone else', async () => {
    const headers = await signIn();
    now += 300_000;
    oidc.refreshImpl = () => Promise.resolve(oidc.tokens({ idTokenClaims: { sub: 'c-9999' } }));
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('without a refresh token, the session lasts as long as the access token', async () => {
    oidc.exchangeImpl = () => Promise.resolve(oidc.tokens({ refreshToken: undefined }));
    const headers = await signIn();
    now += 299_000;
    await expect(service.resolve(headers)).resolves.toBeDefined();
    now += 2_000;
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
    expect(oidc.refreshes).toBe(0);
  });

  it('caps the session at the refresh token lifetime when the provider states it', async () => {
    oidc.exchangeImpl = () => Promise.resolve(oidc.tokens({ refreshExpiresIn: 900 }));
    const headers = await signIn();
    for (let i = 0; i < 3; i++) {
      now += 290_000;
      oidc.refreshImpl = () => Promise.resolve(oidc.tokens());
      await expect(service.resolve(headers)).resolves.toBeDefined();
    }
    now += 100_000;
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('revokes the refresh token and forgets the session on logout; logout is idempotent', async () => {
    const headers = await signIn();
    const out = await service.logout(headers);
    expect(out.endSessionUrl).toBe('https://idp.example.com/session/end?client_id=web-bff');
    expect(out.cookies).toEqual(['__Host-bff-session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict']);
    expect(oidc.revoked).toEqual(['rt-1']);
    expect(await code(service.resolve(headers))).toBe('SESSION_EXPIRED');
    await expect(service.logout(headers)).resolves.toMatchObject({ endSessionUrl: expect.any(String) });
    expect(oidc.revoked).toEqual(['rt-1']);
  });

  it('uses a pending login once: a second callback with the same login cookie is refused', async () => {
    const begun = await service.beginLogin(undefined, {});
    const cookie = `__Host-bff-login=${cookieValue(begun.cookies, '__Host-bff-login')}`;
    const first = await service.completeLogin(`code=c&state=${oidc.state}`, { cookie });
    expect(first.location).toBe('/');
    expect(await code(service.completeLogin(`code=c&state=${oidc.state}`, { cookie }))).toBe('LOGIN_EXPIRED');
  });

  it('answers 503 when the store fails, never "signed out"', async () => {
    const headers = await signIn();
    const broken: SessionStore = Object.assign(Object.create(store) as SessionStore, {
      get: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    const onBroken = new SessionService(config(), oidc as unknown as OidcClient, broken);
    expect(await code(onBroken.resolve(headers))).toBe('SESSION_STORE_UNAVAILABLE');
  });
});
