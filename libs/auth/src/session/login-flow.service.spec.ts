import { Logger } from '@nestjs/common';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { LoginFlow } from './login-flow.service.js';
import type { OidcClient } from './oidc-client.js';
import { SessionResolver } from './session-resolver.service.js';
import { cookieValue, errorCode, FakeOidc, sessionConfig, signIn } from './session.fixtures.test.js';
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
    loginFlow = new LoginFlow(sessionConfig(), oidc as unknown as OidcClient, store);
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

  it('uses a pending login once: a second callback with the same login cookie is refused', async () => {
    const begun = await loginFlow.beginLogin(undefined, {});
    const cookie = `__Host-bff-login=${cookieValue(begun.cookies, '__Host-bff-login')}`;
    const first = await loginFlow.completeLogin(`code=c&state=${oidc.state}`, { cookie });
    expect(first.location).toBe('/');
    expect(await errorCode(loginFlow.completeLogin(`code=c&state=${oidc.state}`, { cookie }))).toBe('LOGIN_EXPIRED');
  });
});
