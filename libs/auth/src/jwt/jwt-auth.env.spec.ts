import { describe, expect, it } from 'vitest';

import { rateLimitEnv } from '../rate-limit/rate-limit.env.js';
import { clientCredentialsEnv } from '../upstream-auth/client-credentials.env.js';
import { jwtAuthEnv } from './jwt-auth.env.js';

const base = { JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'mobile-bff' };

describe('jwtAuthEnv', () => {
  it('defaults to asymmetric algorithms, 30 s skew, at+jwt, 30 s key-set cooldown', () => {
    const { value, problems } = jwtAuthEnv.parse(base);
    expect(problems).toEqual([]);
    expect(value).toMatchObject({
      JWT_ALGORITHMS: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      JWT_CLOCK_SKEW_SECONDS: 30,
      JWT_TYP: 'at+jwt',
      JWT_JWKS_COOLDOWN_MS: 30_000,
    });
    expect(jwtAuthEnv.parse({ ...base, JWT_ALGORITHMS: 'ES256, EdDSA', JWT_TYP: '' }).value).toMatchObject({
      JWT_ALGORITHMS: ['ES256', 'EdDSA'],
      JWT_TYP: '',
    });
  });

  it('refuses none and HS* in the allowlist, at boot', () => {
    for (const algorithms of ['none', 'HS256', 'RS256,HS512', 'rs256', '']) {
      const { problems } = jwtAuthEnv.parse({ ...base, JWT_ALGORITHMS: algorithms });
      expect(problems, algorithms).toEqual([
        expect.stringContaining('JWT_ALGORITHMS must be a comma-separated list of asymmetric algorithms'),
      ]);
      expect(problems[0]).toContain("'none' and HS256/HS384/HS512 are never accepted");
    }
  });

  it('requires an https issuer (http only on loopback) and an audience; bounds the skew', () => {
    expect(jwtAuthEnv.parse({}).problems).toEqual([
      'JWT_ISSUER must be the issuer URL of the OpenID provider (https; http only on localhost/127.0.0.1), without query or fragment',
      'JWT_AUDIENCE is required (the resource identifier tokens must carry in aud)',
    ]);
    expect(jwtAuthEnv.parse({ ...base, JWT_ISSUER: 'http://idp.example.com' }).problems).toHaveLength(1);
    expect(jwtAuthEnv.parse({ ...base, JWT_ISSUER: 'https://idp.example.com/?tenant=1' }).problems).toHaveLength(1);
    expect(jwtAuthEnv.parse({ ...base, JWT_ISSUER: 'http://127.0.0.1:4100' }).problems).toEqual([]);
    expect(jwtAuthEnv.parse({ ...base, JWT_CLOCK_SKEW_SECONDS: '3600' }).problems).toEqual([
      'JWT_CLOCK_SKEW_SECONDS must be an integer between 0 and 300',
    ]);
  });
});

describe('rateLimitEnv and clientCredentialsEnv', () => {
  it('have safe defaults and bounded values', () => {
    expect(rateLimitEnv.parse({}).value).toMatchObject({
      RATE_LIMIT_ENABLED: true,
      RATE_LIMIT_MAX: 600,
      AUTH_FAILURE_MAX: 20,
      AUTH_REDIS_PREFIX: 'bff:',
    });
    expect(rateLimitEnv.parse({ RATE_LIMIT_ENABLED: 'false' }).value?.RATE_LIMIT_ENABLED).toBe(false);
    expect(rateLimitEnv.parse({ RATE_LIMIT_MAX: '0', AUTH_REDIS_PREFIX: 'has space' }).problems).toEqual([
      'RATE_LIMIT_MAX must be an integer between 1 and 1000000',
      'AUTH_REDIS_PREFIX must be 1-64 characters of letters, digits, : _ . -',
    ]);
  });

  it('requires the whole OAuth client for client credentials', () => {
    expect(clientCredentialsEnv.parse({ UPSTREAM_AUTH_ISSUER: 'https://idp.example.com' }).problems).toEqual([
      'UPSTREAM_AUTH_CLIENT_ID is required (the OAuth client of this app)',
      'UPSTREAM_AUTH_CLIENT_SECRET is required (the secret of UPSTREAM_AUTH_CLIENT_ID)',
    ]);
  });

  it('DPoP: optional by default, 60 s window, no public origin; validates modes, algorithms, window and origin', () => {
    expect(jwtAuthEnv.parse(base).value).toMatchObject({
      JWT_DPOP: 'optional',
      JWT_DPOP_IAT_WINDOW_SECONDS: 60,
      JWT_DPOP_PUBLIC_ORIGIN: '',
    });
    expect(
      jwtAuthEnv.parse({ ...base, JWT_DPOP: 'required', JWT_DPOP_ALGORITHMS: 'ES256', JWT_DPOP_PUBLIC_ORIGIN: 'https://api.example.com' })
        .value,
    ).toMatchObject({ JWT_DPOP: 'required', JWT_DPOP_ALGORITHMS: ['ES256'], JWT_DPOP_PUBLIC_ORIGIN: 'https://api.example.com' });
    const { problems } = jwtAuthEnv.parse({
      ...base,
      JWT_DPOP: 'yes',
      JWT_DPOP_ALGORITHMS: 'HS256',
      JWT_DPOP_IAT_WINDOW_SECONDS: '3600',
      JWT_DPOP_PUBLIC_ORIGIN: 'https://api.example.com/mobile',
    });
    expect(problems).toEqual([
      'JWT_DPOP must be off, optional or required',
      expect.stringContaining('JWT_DPOP_ALGORITHMS must be a comma-separated list of asymmetric algorithms'),
      'JWT_DPOP_IAT_WINDOW_SECONDS must be an integer between 5 and 300',
      expect.stringContaining('JWT_DPOP_PUBLIC_ORIGIN must be an origin'),
    ]);
  });
});
