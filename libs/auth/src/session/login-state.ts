import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto';

import type { PendingLogin } from './session.types.js';

/** First byte of every sealed value: the format (and key derivation) version. */
const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds a sealed value to its purpose: a ciphertext sealed for anything else never opens here. */
const ASSOCIATED_DATA = Buffer.from('bff login-state v1');

/** What a sealed login state holds (short keys: the cookie travels on every request until the callback). */
interface SealedFields {
  readonly s: string;
  readonly n: string;
  readonly v: string;
  readonly r: string;
  readonly c: number;
  readonly e: number;
}

/** Why a login-state cookie was refused: not sealed by this BFF's key (tampered, forged, other key), or too old. */
export type LoginStateRejection = 'invalid' | 'expired';

export type OpenedLoginState =
  { readonly ok: true; readonly login: PendingLogin } | { readonly ok: false; readonly reason: LoginStateRejection };

/** The key source: a dedicated secret, or the OIDC client secret every instance already shares. */
export interface LoginStateKeySource {
  readonly loginStateSecret?: string;
  readonly clientSecret: string;
  readonly clientId: string;
}

/**
 * The 256-bit AES key of the login-state cookie, the same in every instance of the app.
 * From SESSION_LOGIN_STATE_SECRET when set (HKDF-SHA256). Otherwise from the OIDC client secret,
 * stretched with scrypt before HKDF: a cookie's GCM tag must not become a fast offline oracle for
 * guessing a short client secret.
 */
export function deriveLoginStateKey(source: LoginStateKeySource): Buffer {
  const salt = `bff/login-state/${source.clientId}`;
  const material =
    source.loginStateSecret ?? scryptSync(source.clientSecret, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return Buffer.from(hkdfSync('sha256', material, salt, 'aes-256-gcm key', 32));
}

/**
 * Seals pending logins (state, nonce, PKCE verifier, validated returnTo) into the login cookie
 * with AES-256-GCM, so that a started login holds no server storage at all: anonymous
 * `/auth/login` traffic cannot evict or crowd out sessions, and any instance can complete a
 * login another one started. GCM gives confidentiality (the verifier and nonce stay secret) and
 * integrity (a changed byte, a forged value or another key fails to open); the expiry is inside
 * the sealed value, so a cookie kept past its Max-Age is refused too.
 */
export class LoginStateSealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('LoginStateSealer needs a 256-bit key');
  }

  /** The cookie value (base64url) of `login`, valid until `expiresAt` (epoch ms). */
  seal(login: PendingLogin, expiresAt: number): string {
    const fields: SealedFields = {
      s: login.state,
      n: login.nonce,
      v: login.codeVerifier,
      r: login.returnTo,
      c: login.createdAt,
      e: expiresAt,
    };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(ASSOCIATED_DATA);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.of(FORMAT_VERSION), iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
  }

  /** The pending login sealed in `value`, or why it is refused. Never throws. */
  open(value: string, now: number): OpenedLoginState {
    const fields = this.decrypt(value);
    if (!fields) return { ok: false, reason: 'invalid' };
    if (now >= fields.e) return { ok: false, reason: 'expired' };
    return {
      ok: true,
      login: { state: fields.s, nonce: fields.n, codeVerifier: fields.v, returnTo: fields.r, createdAt: fields.c },
    };
  }

  private decrypt(value: string): SealedFields | undefined {
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT_VERSION) return undefined;
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const ciphertext = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    let plaintext: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(ASSOCIATED_DATA);
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
    return parseFields(plaintext);
  }
}

/** Authenticated plaintext is ours, but its shape is still checked rather than trusted blindly. */
function parseFields(plaintext: string): SealedFields | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { s, n, v, r, c, e } = parsed as Record<string, unknown>;
  const texts = [s, n, v, r].every((field) => typeof field === 'string' && field.length > 0);
  return texts && typeof c === 'number' && typeof e === 'number' ? (parsed as SealedFields) : undefined;
}

/**
 * The suffix of the login cookie of the login with `state`: each login has a cookie of its own
 * (several tabs can sign in at once), and the callback finds it from the `state` the provider
 * returns. 12 base64url characters of SHA-256 (72 bits): only names a cookie, the state itself is
 * checked inside the sealed value.
 */
export function loginCookieSuffix(state: string): string {
  return createHash('sha256').update(state).digest('base64url').slice(0, 12);
}
