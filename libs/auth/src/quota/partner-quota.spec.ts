import { describe, expect, it } from 'vitest';

import { PlatformError, type Identity } from '@bff/core';

import { PartnerQuotaEnv } from './partner-quota.env.js';
import { PartnerQuota } from './partner-quota.js';
import { FailOpenPartnerQuotaStore, MemoryPartnerQuotaStore } from './quota.store.js';

const partner = (partnerId: string, dailyQuota?: number): Identity => ({
  strategy: 'api-key',
  subject: partnerId,
  partnerId,
  scopes: ['catalog:read'],
  claims: dailyQuota ? { keyId: 'abcdefabcdef', dailyQuota } : { keyId: 'abcdefabcdef' },
});

const envWith = (quota?: number): PartnerQuotaEnv => Object.assign(new PartnerQuotaEnv(), { PARTNER_DAILY_QUOTA: quota });

/** A reply that keeps its headers, with the request budget's items already written. */
function reply() {
  const headers: Record<string, string> = { 'ratelimit-policy': '"default";q=600;w=60', ratelimit: '"default";r=599;t=60' };
  return {
    headers,
    header: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
}

const noon = Date.parse('2026-12-06T12:00:00Z');

describe('PartnerQuota', () => {
  it('counts down per partner, appends the "daily" items, then refuses with quota-exceeded until UTC midnight', async () => {
    const quota = new PartnerQuota(new MemoryPartnerQuotaStore(), envWith(2));
    const first = reply();
    await quota.enforce(partner('acme'), first, noon);
    expect(first.headers['ratelimit-policy']).toBe('"default";q=600;w=60, "daily";q=2;w=86400');
    expect(first.headers.ratelimit).toBe('"default";r=599;t=60, "daily";r=1;t=43200');
    await quota.enforce(partner('acme'), reply(), noon);
    const over = reply();
    const error = await quota.enforce(partner('acme'), over, noon + 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'QUOTA_EXCEEDED', retryAfterSeconds: 43_199 });
    expect((error as PlatformError).publicDetail).toContain('2026-12-07T00:00:00.000Z');
    expect(over.headers.ratelimit).toBe('"default";r=599;t=60, "daily";r=0;t=43199');
    // Another partner has its own count; the next UTC day starts afresh.
    await expect(quota.enforce(partner('globex'), reply(), noon)).resolves.toBeUndefined();
    await expect(quota.enforce(partner('acme'), reply(), Date.parse('2026-12-07T00:00:00Z'))).resolves.toBeUndefined();
  });

  it("prefers the key's own quota to the platform default; no quota, no counting and no headers", async () => {
    const quota = new PartnerQuota(new MemoryPartnerQuotaStore(), envWith(100));
    expect(quota.limitOf(partner('acme', 5))).toBe(5);
    expect(quota.limitOf(partner('acme'))).toBe(100);
    expect(quota.limitOf({ strategy: 'jwt', subject: 'c-0001', scopes: [], claims: {} })).toBeUndefined();
    const none = new PartnerQuota(new MemoryPartnerQuotaStore(), envWith(undefined));
    expect(none.limitOf(partner('acme'))).toBeUndefined();
    const untouched = reply();
    await none.enforce(partner('acme'), untouched, noon);
    expect(untouched.headers.ratelimit).toBe('"default";r=599;t=60');
    const unconfigured = new PartnerQuota(new MemoryPartnerQuotaStore());
    expect(unconfigured.limitOf(partner('acme', 7))).toBe(7);
  });

  it('fails open when the store fails, like the rate limiter', async () => {
    const warnings: string[] = [];
    const broken = { hit: () => Promise.reject(new Error('redis down')) };
    const quota = new PartnerQuota(new FailOpenPartnerQuotaStore(broken, (message) => warnings.push(message)), envWith(1));
    const res = reply();
    await quota.enforce(partner('acme'), res, noon);
    await quota.enforce(partner('acme'), reply(), noon);
    expect(res.headers.ratelimit).toBe('"default";r=599;t=60, "daily";r=1;t=43200');
    expect(warnings[0]).toMatch(/fail open/);
  });
});
