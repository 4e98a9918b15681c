import { describe, expect, it } from 'vitest';

import { CookiePolicy, readCookie, readLoginCookies } from './cookies.js';

const id = 'A'.repeat(43);

describe('readCookie', () => {
  it('finds the cookie among others, first occurrence first', () => {
    expect(readCookie({ cookie: `a=1; __Host-bff-session=${id}; b=2` }, '__Host-bff-session')).toBe(id);
    expect(readCookie({ cookie: `__Host-bff-session=${id}; __Host-bff-session=${'B'.repeat(43)}` }, '__Host-bff-session')).toBe(id);
  });

  it('ignores values this BFF cannot have issued, and missing headers', () => {
    expect(readCookie({ cookie: '__Host-bff-session=short' }, '__Host-bff-session')).toBeUndefined();
    expect(readCookie({ cookie: `__Host-bff-session=${'x'.repeat(40)}%00` }, '__Host-bff-session')).toBeUndefined();
    expect(readCookie({}, '__Host-bff-session')).toBeUndefined();
    expect(readCookie({ cookie: `bff-session=${id}` }, '__Host-bff-session')).toBeUndefined();
  });
});

describe('readLoginCookies', () => {
  const sealed = 'S'.repeat(120);
  it('finds every login cookie by its prefix, first occurrence of each name, skipping what cannot be a sealed state', () => {
    const header = [
      `__Host-bff-login-AAAAAAAAAAAA=${sealed}`,
      `__Host-bff-session=${id}`,
      `__Host-bff-login-BBBBBBBBBBBB=${'T'.repeat(60)}`,
      `__Host-bff-login-AAAAAAAAAAAA=${'U'.repeat(60)}`,
      `__Host-bff-login-short=${sealed}`,
      `__Host-bff-login-CCCCCCCCCCCC=not%20ours`,
      `__Host-bff-login=${sealed}`,
    ].join('; ');
    expect(readLoginCookies({ cookie: header }, '__Host-bff-login')).toEqual([
      { suffix: 'AAAAAAAAAAAA', value: sealed },
      { suffix: 'BBBBBBBBBBBB', value: 'T'.repeat(60) },
    ]);
    expect(readLoginCookies({}, '__Host-bff-login')).toEqual([]);
  });
});

describe('CookiePolicy', () => {
  it('production: __Host- prefix, Secure, HttpOnly, Path=/, no Domain; Strict session, Lax login', () => {
    const policy = new CookiePolicy(false);
    expect(policy.session(id, 600)).toBe(`__Host-bff-session=${id}; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Strict`);
    expect(policy.login('AAAAAAAAAAAA', id, 600)).toBe(
      `__Host-bff-login-AAAAAAAAAAAA=${id}; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax`,
    );
    expect(policy.clearSession()).toBe('__Host-bff-session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict');
    expect(policy.clearLogin('AAAAAAAAAAAA')).toBe('__Host-bff-login-AAAAAAAAAAAA=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax');
  });

  it('dev mode: no Secure, hence no prefix', () => {
    const policy = new CookiePolicy(true);
    expect(policy.names).toEqual({ session: 'bff-session', login: 'bff-login' });
    expect(policy.session(id, 60)).toBe(`bff-session=${id}; Path=/; Max-Age=60; HttpOnly; SameSite=Strict`);
  });
});
