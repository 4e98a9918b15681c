import { describe, expect, it } from 'vitest';

import { sessionAuthEnv } from './session.env.js';

const valid = {
  NODE_ENV: 'production',
  OIDC_ISSUER_URL: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'web-bff',
  OIDC_CLIENT_SECRET: 'a-long-client-secret',
  OIDC_REDIRECT_URI: 'https://shop.example.com/auth/callback',
};

const problems = (env: Record<string, string | undefined>): string[] => sessionAuthEnv.parse(env).problems;

describe('sessionAuthEnv', () => {
  it('accepts a production configuration and applies the defaults', () => {
    const { value, problems: found } = sessionAuthEnv.parse(valid);
    expect(found).toEqual([]);
    expect(value).toMatchObject({
      SESSION_IDLE_TIMEOUT_SECONDS: 1_800,
      SESSION_ABSOLUTE_TIMEOUT_SECONDS: 28_800,
      SESSION_REFRESH_SKEW_SECONDS: 30,
      SESSION_COOKIE_DEV_MODE: false,
      OIDC_TIMEOUT_MS: 5_000,
    });
  });

  it('lists every missing variable at once', () => {
    const found = problems({ NODE_ENV: 'production' });
    expect(found.join('\n')).toMatch(/OIDC_ISSUER_URL/);
    expect(found.join('\n')).toMatch(/OIDC_CLIENT_ID is required/);
    expect(found.join('\n')).toMatch(/OIDC_CLIENT_SECRET is required/);
    expect(found.join('\n')).toMatch(/OIDC_REDIRECT_URI/);
  });

  it('refuses the cookie dev mode in production, and when NODE_ENV is unset', () => {
    expect(problems({ ...valid, SESSION_COOKIE_DEV_MODE: 'true' })).toEqual([
      expect.stringContaining('SESSION_COOKIE_DEV_MODE=true is refused when NODE_ENV is production'),
    ]);
    expect(problems({ ...valid, NODE_ENV: undefined, SESSION_COOKIE_DEV_MODE: 'true' })).toHaveLength(1);
    expect(problems({ ...valid, NODE_ENV: 'development', SESSION_COOKIE_DEV_MODE: 'true' })).toEqual([]);
    expect(problems({ ...valid, NODE_ENV: 'test', SESSION_COOKIE_DEV_MODE: 'yes' })).toEqual([
      'SESSION_COOKIE_DEV_MODE must be true or false',
    ]);
  });

  it('refuses plain http outside loopback, and URLs with credentials', () => {
    expect(problems({ ...valid, OIDC_ISSUER_URL: 'http://idp.example.com' })).toHaveLength(1);
    expect(problems({ ...valid, OIDC_REDIRECT_URI: 'http://shop.example.com/auth/callback' })).toHaveLength(1);
    expect(problems({ ...valid, OIDC_REDIRECT_URI: 'https://user:pw@shop.example.com/auth/callback' })).toHaveLength(1);
    expect(
      problems({ ...valid, OIDC_ISSUER_URL: 'http://127.0.0.1:4100', OIDC_REDIRECT_URI: 'http://localhost:3000/auth/callback' }),
    ).toEqual([]);
  });

  it('keeps the absolute timeout at least the idle timeout, and bounds', () => {
    expect(problems({ ...valid, SESSION_IDLE_TIMEOUT_SECONDS: '3600', SESSION_ABSOLUTE_TIMEOUT_SECONDS: '1800' })).toEqual([
      'SESSION_ABSOLUTE_TIMEOUT_SECONDS must be at least SESSION_IDLE_TIMEOUT_SECONDS',
    ]);
    expect(problems({ ...valid, SESSION_IDLE_TIMEOUT_SECONDS: '10' })).toEqual([
      'SESSION_IDLE_TIMEOUT_SECONDS must be an integer between 60 and 86400',
    ]);
    expect(problems({ ...valid, OIDC_CLIENT_SECRET: 'short' })).toEqual(['OIDC_CLIENT_SECRET must be at least 8 characters']);
  });
});
