import { LRUCache } from 'lru-cache';

import { Tracing, type RedisClient as Redis } from '@bff/core';

import {
  ACCOUNT_ID,
  isDailyQuota,
  KEY_ID,
  PARTNER_ID,
  PartnerKeyStoreUnavailableError,
  SCOPE,
  SHA256_HEX,
  type PartnerKeyRecord,
  type PartnerKeyStore,
} from './partner-keys.js';

/**
 * Partner keys registered in Redis (by `scripts/partner-keys.mjs`), shared by every instance.
 *
 * Layout (prefix = AUTH_REDIS_PREFIX, default `bff:`):
 *
 * | key | type | content |
 * |---|---|---|
 * | `<prefix>partner-key:<id>` | hash | `partner`, `scopes` (space-separated), `sha256` (hex), `expires` (ISO-8601, optional), `account` (optional), `dailyQuota` (integer, optional), `created` (ISO-8601) |
 * | `<prefix>partner-keys:<partner>` | set | the partner's key ids (for listing and rotation) |
 *
 * A key with an expiry also gets a Redis expiry (PEXPIREAT) at that instant. Found records are
 * cached in memory for `cacheMs`, so a revoked key may keep working that long on an instance.
 */
export class RedisPartnerKeyStore implements PartnerKeyStore {
  private readonly cache: LRUCache<string, PartnerKeyRecord> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    cacheMs: number,
    private readonly onMalformed: (id: string) => void = () => undefined,
  ) {
    this.cache = cacheMs > 0 ? new LRUCache<string, PartnerKeyRecord>({ max: 10_000, ttl: cacheMs }) : undefined;
  }

  async find(id: string): Promise<PartnerKeyRecord | undefined> {
    const cached = this.cache?.get(id);
    if (cached) return cached;
    let fields: Record<string, string>;
    try {
      fields = await Tracing.redis('partner-keys', 'HGETALL', () => this.redis.hgetall(`${this.prefix}partner-key:${id}`));
    } catch (cause) {
      throw new PartnerKeyStoreUnavailableError({ cause });
    }
    if (Object.keys(fields).length === 0) return undefined;
    const record = toRecord(id, fields);
    if (!record) {
      this.onMalformed(id);
      return undefined;
    }
    this.cache?.set(id, record);
    return record;
  }
}

function toRecord(id: string, fields: Record<string, string>): PartnerKeyRecord | undefined {
  const { partner, scopes, sha256, expires, account } = fields;
  const dailyQuota = fields.dailyQuota ? Number(fields.dailyQuota) : undefined;
  const scopeList = (scopes ?? '').split(' ').filter(Boolean);
  const expiresAt = expires ? Date.parse(expires) : undefined;
  if (
    !KEY_ID.test(id) ||
    !partner ||
    !PARTNER_ID.test(partner) ||
    scopeList.length === 0 ||
    !scopeList.every((s) => SCOPE.test(s)) ||
    !sha256 ||
    !SHA256_HEX.test(sha256) ||
    (expiresAt !== undefined && Number.isNaN(expiresAt)) ||
    (account !== undefined && account !== '' && !ACCOUNT_ID.test(account)) ||
    (dailyQuota !== undefined && !isDailyQuota(dailyQuota))
  ) {
    return undefined;
  }
  return {
    id,
    partnerId: partner,
    scopes: scopeList,
    sha256,
    expiresAt,
    account: account || undefined,
    ...(dailyQuota ? { dailyQuota } : {}),
  };
}
