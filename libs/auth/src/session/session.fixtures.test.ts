/**
 * Shared fixtures of the session specs (login-flow.service.spec.ts, session-resolver.service.spec.ts):
 * the session settings, a scripted OpenID provider and a sign-in through LoginFlow.
 */
import { randomBytes } from 'node:crypto';

import { expect } from 'vitest';

import type { CoreEnv } from '@bff/core';

import type { LoginFlow } from './login-flow.service.js';
import { LoginStateSealer } from './login-state.js';
import type { TokenResult } from './oidc-client.js';
import { SessionConfig } from './session.config.js';
import { sessionAuthEnv, type SessionAuthEnv } from './session.env.js';

export const IDLE_S = 600;
export const ABSOLUTE_S = 3_600;

export function sessionConfig(): SessionConfig {
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

/** A login-state sealer with a random key (the env derivation is tested in login-state.spec.ts). */
export const testSealer = (): LoginStateSealer => new LoginStateSealer(randomBytes(32));

/** A scripted OpenID provider. */
export class FakeOidc {
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

  authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    this.state = checks.state;
    return Promise.resolve(new URL('https://idp.example.com/auth'));
  }
  exchangeCode(_callbackUrl: URL, _checks: { state: string; nonce: string; codeVerifier: string }): Promise<TokenResult> {
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

export const cookieValue = (cookies: readonly string[], name: string): string => {
  const line = cookies.find((cookie) => cookie.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${cookies.join(' | ')}`);
  return line.slice(name.length + 1, line.indexOf(';'));
};

/** The problem code a promise rejects with (undefined when it resolves). */
export const errorCode = (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  );

/** `name=value` of the login cookie a /auth/login answer sets (`__Host-bff-login-<suffix>`). */
export const loginCookie = (cookies: readonly string[]): string => {
  const line = cookies.find((cookie) => cookie.startsWith('__Host-bff-login-') && !cookie.includes('Max-Age=0'));
  if (!line) throw new Error(`no login cookie in ${cookies.join(' | ')}`);
  return line.slice(0, line.indexOf(';'));
};

/** Signs in through the login flow (returnTo /account) and returns the request headers carrying the session cookie. */
export async function signIn(loginFlow: LoginFlow, oidc: FakeOidc): Promise<Record<string, string>> {
  const begun = await loginFlow.beginLogin('/account', {});
  const done = await loginFlow.completeLogin(`code=c&state=${oidc.state}`, { cookie: loginCookie(begun.cookies) });
  expect(done.location).toBe('/account');
  return { cookie: `__Host-bff-session=${cookieValue(done.cookies, '__Host-bff-session')}` };
}
