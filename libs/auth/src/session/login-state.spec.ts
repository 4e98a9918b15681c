import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { deriveLoginStateKey, loginCookieSuffix, LoginStateSealer } from './login-state.js';
import type { PendingLogin } from './session.types.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const TTL_MS = 600_000;
const login: PendingLogin = {
  state: 'state-0123456789abcdefghijklmnopqrstuvwxyzABCD',
  nonce: 'nonce-0123456789abcdefghijklmnopqrstuvwxyzABCD',
  codeVerifier: 'verifier-0123456789abcdefghijklmnopqrstuvwxyzAB',
  returnTo: '/account/orders?tab=open#latest',
  createdAt: NOW,
};

/** `value` with the byte at `index` of its decoded form changed. */
function flipByte(value: string, index: number): string {
  const bytes = Buffer.from(value, 'base64url');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

describe('LoginStateSealer', () => {
  const sealer = new LoginStateSealer(randomBytes(32));

  it('opens what it sealed, until the expiry', () => {
    const sealed = sealer.seal(login, NOW + TTL_MS);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealer.open(sealed, NOW)).toEqual({ ok: true, login });
    expect(sealer.open(sealed, NOW + TTL_MS - 1)).toEqual({ ok: true, login });
    expect(sealer.open(sealed, NOW + TTL_MS)).toEqual({ ok: false, reason: 'expired' });
  });

  it('hides what it seals, and never seals the same login to the same value (random IV)', () => {
    const sealed = sealer.seal(login, NOW + TTL_MS);
    const decoded = Buffer.from(sealed, 'base64url').toString('latin1');
    for (const secret of [login.state, login.nonce, login.codeVerifier, login.returnTo]) expect(decoded).not.toContain(secret);
    expect(sealer.seal(login, NOW + TTL_MS)).not.toBe(sealed);
  });

  it('refuses any changed byte: version, IV, ciphertext (including the expiry inside it), tag', () => {
    const sealed = sealer.seal(login, NOW + TTL_MS);
    const length = Buffer.from(sealed, 'base64url').length;
    for (const index of [0, 1, 12, 13, 20, length - 17, length - 16, length - 1]) {
      expect(sealer.open(flipByte(sealed, index), NOW), `byte ${index}`).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(sealer.open(sealed.slice(0, -4), NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(sealer.open(`${sealed}AAAA`, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a value sealed with another key, and garbage', () => {
    const other = new LoginStateSealer(randomBytes(32));
    expect(sealer.open(other.seal(login, NOW + TTL_MS), NOW)).toEqual({ ok: false, reason: 'invalid' });
    for (const garbage of ['', 'A', 'A'.repeat(200), '!!!!', Buffer.alloc(64).toString('base64url')]) {
      expect(sealer.open(garbage, NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses keys that are not 256-bit', () => {
    expect(() => new LoginStateSealer(randomBytes(16))).toThrow(/256-bit/);
  });
});

describe('deriveLoginStateKey', () => {
  const source = { clientSecret: 'web-bff-dev-secret', clientId: 'web-bff' };

  it('is the same on every instance: a login started on one opens on another', () => {
    const a = new LoginStateSealer(deriveLoginStateKey(source));
    const b = new LoginStateSealer(deriveLoginStateKey({ ...source }));
    expect(b.open(a.seal(login, NOW + TTL_MS), NOW)).toEqual({ ok: true, login });
  });

  it('depends on the secret in use and the client: another secret, dedicated secret or client id gives another key', () => {
    const base = deriveLoginStateKey(source);
    expect(base).toHaveLength(32);
    const dedicated = deriveLoginStateKey({ ...source, loginStateSecret: 'x'.repeat(32) });
    const keys = [
      base,
      deriveLoginStateKey({ ...source, clientSecret: 'web-bff-dev-secreT' }),
      deriveLoginStateKey({ ...source, clientId: 'web-bff-2' }),
      dedicated,
      deriveLoginStateKey({ ...source, loginStateSecret: 'y'.repeat(32) }),
    ].map((key) => key.toString('hex'));
    expect(new Set(keys).size).toBe(keys.length);
    // The dedicated secret replaces the client secret altogether.
    expect(deriveLoginStateKey({ ...source, clientSecret: 'rotated-secret', loginStateSecret: 'x'.repeat(32) })).toEqual(dedicated);
  });
});

describe('loginCookieSuffix', () => {
  it('names a cookie (12 base64url characters) from the state, differently for each state', () => {
    expect(loginCookieSuffix(login.state)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(loginCookieSuffix(login.state)).toBe(loginCookieSuffix(login.state));
    expect(loginCookieSuffix(`${login.state}x`)).not.toBe(loginCookieSuffix(login.state));
  });
});
