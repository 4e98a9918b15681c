import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * Partner API keys look like `bffpk_<id>_<secret>`:
 * - `bffpk_` makes leaked keys easy to spot for secret scanners;
 * - `<id>` (12 chars a-z0-9) is public: it names the key in the registry, logs and rotation;
 * - `<secret>` is 32 random bytes, base64url (43 chars), i.e. 256 bits of entropy.
 *
 * Only the SHA-256 of the whole key is stored. With 256 bits of entropy a plain hash is enough:
 * there is nothing to brute-force offline (no salt or slow hash needed, unlike passwords).
 */
export const API_KEY_PATTERN = /^bffpk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface GeneratedApiKey {
  /** The key to hand to the partner, once. Never stored. */
  readonly key: string;
  readonly id: string;
  /** Hex SHA-256 of `key`: what the registry stores. */
  readonly sha256: string;
}

export function generateApiKey(): GeneratedApiKey {
  const id = Array.from({ length: 12 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
  const key = `bffpk_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, id, sha256: hashApiKey(key) };
}

/** The key id of a well-formed key, else undefined. */
export function apiKeyId(key: string): string | undefined {
  return API_KEY_PATTERN.exec(key)?.[1];
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
