import { createHash, randomBytes, randomInt } from 'node:crypto';

import { PARTNER_GATEWAY_CLIENT_ID, PARTNER_GATEWAY_DEV_SECRET } from '../../sandbox/src/index.ts';

/**
 * partner-bff's own OAuth client (client credentials, used for the orders service). Suites that never
 * call orders may use the default, unreachable issuer: tokens are only fetched on first use.
 */
export function partnerClientEnv(issuer = 'https://idp.invalid'): Record<string, string> {
  return {
    UPSTREAM_AUTH_ISSUER: issuer,
    UPSTREAM_AUTH_CLIENT_ID: PARTNER_GATEWAY_CLIENT_ID,
    UPSTREAM_AUTH_CLIENT_SECRET: PARTNER_GATEWAY_DEV_SECRET,
  };
}

export interface TestPartnerKey {
  /** The key as the partner sends it in X-Api-Key. */
  readonly key: string;
  readonly id: string;
  /** Its PARTNER_API_KEYS entry (the registry only ever holds the hash). */
  readonly entry: Record<string, unknown>;
}

const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A fresh partner key, generated exactly as `scripts/partner-keys.mjs generate` does (docs/auth.md,
 * "Key format"): `bffpk_<12 a-z0-9>_<32 random bytes, base64url>`, registered by its SHA-256.
 */
export function partnerKey(
  partner: string,
  scopes: readonly string[],
  extra: { account?: string; expires?: string; dailyQuota?: number } = {},
): TestPartnerKey {
  const id = Array.from({ length: 12 }, () => KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)]).join('');
  const key = `bffpk_${id}_${randomBytes(32).toString('base64url')}`;
  const sha256 = createHash('sha256').update(key, 'utf8').digest('hex');
  return { key, id, entry: { id, partner, scopes: [...scopes], sha256, ...extra } };
}

/** PARTNER_API_KEYS for these keys. */
export function partnerKeysEnv(...keys: readonly TestPartnerKey[]): string {
  return JSON.stringify(keys.map((k) => k.entry));
}
