import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { LoginFlow } from './login-flow.service.js';
import { OidcRejectedError, OidcUnavailableError, type OidcClient } from './oidc-client.js';
import { SessionDirectory } from './session-directory.js';
import { SessionResolver } from './session-resolver.service.js';
import { ABSOLUTE_S, errorCode, FakeOidc, IDLE_S, sessionConfig, signIn, testSealer } from './session.fixtures.test.js';
import { MemorySessionStore, type SessionStore } from './session.store.js';

describe('SessionResolver', () => {
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

  it('ends an idle session, and deletes it', async () => {
    const headers = await signIn(loginFlow, oidc);
    now += (IDLE_S - 1) * 1000;
    await expect(resolver.resolve(headers)).resolves.toMatchObject({ identity: { subject: 'c-0001' } });
    now += IDLE_S * 1000 - 500;
    // Used 599 s ago at most: still alive (the last use was recorded).
    await expect(resolver.resolve(headers)).resolves.toBeDefined();
    now += (IDLE_S + 1) * 1000;
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
    now -= (IDLE_S + 1) * 1000;
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('ends a session at its absolute timeout however busy it is', async () => {
    const headers = await signIn(loginFlow, oidc);
    for (let elapsedS = 0; elapsedS < ABSOLUTE_S - 300; elapsedS += 300) {
      now += 300_000;
      await expect(resolver.resolve(headers)).resolves.toBeDefined();
    }
    now += 600_000;
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('refreshes before expiry with the stored refresh token and stores the rotated one', async () => {
    const headers = await signIn(loginFlow, oidc);
    now += (300 - 31) * 1000;
    expect((await resolver.resolve(headers)).accessToken).toBe('at-1');
    now += 2_000;
    expect((await resolver.resolve(headers)).accessToken).toBe('at-2');
    now += 280_000;
    const seen: string[] = [];
    oidc.refreshImpl = (rt) => {
      seen.push(rt);
      return Promise.resolve(oidc.tokens());
    };
    expect((await resolver.resolve(headers)).accessToken).toBe('at-3');
    expect(seen).toEqual(['rt-2']);
  });

  it('shares one refresh among concurrent requests of one instance', async () => {
    const headers = await signIn(loginFlow, oidc);
    now += 300_000;
    oidc.refreshImpl = () => new Promise((resolve) => setTimeout(() => resolve(oidc.tokens()), 50));
    const results = await Promise.all(Array.from({ length: 8 }, () => resolver.resolve(headers)));
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set(['at-2']));
    expect(oidc.refreshes).toBe(1);
  });

  it('shares one refresh among instances through the lease; waiters re-read the session', async () => {
    const other = new SessionResolver(sessionConfig(), oidc as unknown as OidcClient, store);
    const headers = await signIn(loginFlow, oidc);
    now += 300_000;
    oidc.refreshImpl = () => new Promise((resolve) => setTimeout(() => resolve(oidc.tokens()), 150));
    const results = await Promise.all([
      resolver.resolve(headers),
      other.resolve(headers),
      other.resolve(headers),
      resolver.resolve(headers),
    ]);
    expect(results.map((r) => r.accessToken)).toEqual(['at-2', 'at-2', 'at-2', 'at-2']);
    expect(oidc.refreshes).toBe(1);
  });

  it('goes on with a still-valid token while another instance refreshes', async () => {
    const other = new SessionResolver(sessionConfig(), oidc as unknown as OidcClient, store);
    const headers = await signIn(loginFlow, oidc);
    now += 280_000; // inside the 30 s skew, 20 s before expiry
    oidc.refreshImpl = () => new Promise((resolve) => setTimeout(() => resolve(oidc.tokens()), 150));
    const holder = resolver.resolve(headers);
    await new Promise((r) => setTimeout(r, 20));
    expect((await other.resolve(headers)).accessToken).toBe('at-1');
    expect((await holder).accessToken).toBe('at-2');
  });

  it('ends the session when the provider refuses the refresh, and keeps it when the provider is down', async () => {
    const headers = await signIn(loginFlow, oidc);
    now += 300_000;
    oidc.refreshImpl = () => Promise.reject(new OidcUnavailableError('down'));
    expect(await errorCode(resolver.resolve(headers))).toBe('AUTH_PROVIDER_UNAVAILABLE');
    oidc.refreshImpl = () => Promise.reject(new OidcRejectedError('invalid_grant', 'refused'));
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
    oidc.refreshImpl = () => Promise.resolve(oidc.tokens());
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('ends the session when a refreshed ID token names someone else', async () => {
    const headers = await signIn(loginFlow, oidc);
    now += 300_000;
    oidc.refreshImpl = () => Promise.resolve(oidc.tokens({ idTokenClaims: { sub: 'c-9999' } }));
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('without a refresh token, the session lasts as long as the access token', async () => {
    oidc.exchangeImpl = () => Promise.resolve(oidc.tokens({ refreshToken: undefined }));
    const headers = await signIn(loginFlow, oidc);
    now += 299_000;
    await expect(resolver.resolve(headers)).resolves.toBeDefined();
    now += 2_000;
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
    expect(oidc.refreshes).toBe(0);
  });

  it('caps the session at the refresh token lifetime when the provider states it', async () => {
    oidc.exchangeImpl = () => Promise.resolve(oidc.tokens({ refreshExpiresIn: 900 }));
    const headers = await signIn(loginFlow, oidc);
    for (let i = 0; i < 3; i++) {
      now += 290_000;
      oidc.refreshImpl = () => Promise.resolve(oidc.tokens());
      await expect(resolver.resolve(headers)).resolves.toBeDefined();
    }
    now += 100_000;
    expect(await errorCode(resolver.resolve(headers))).toBe('SESSION_EXPIRED');
  });

  it('answers 503 when the store fails, never "signed out"', async () => {
    const headers = await signIn(loginFlow, oidc);
    const broken: SessionStore = Object.assign(Object.create(store) as SessionStore, {
      get: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    const onBroken = new SessionResolver(sessionConfig(), oidc as unknown as OidcClient, broken);
    expect(await errorCode(onBroken.resolve(headers))).toBe('SESSION_STORE_UNAVAILABLE');
  });
});
