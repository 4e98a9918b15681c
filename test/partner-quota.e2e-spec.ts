import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { expectProblem, startStack, type Stack } from './support/stack.js';

/**
 * The partner daily quota (docs/auth.md, "Partner daily quota") against the real partner-bff and
 * sandbox: a platform default (PARTNER_DAILY_QUOTA) and a key's own quota, counted per partner per
 * UTC day, shown as the "daily" item of RateLimit-Policy / RateLimit, refused with 429
 * quota-exceeded and Retry-After until the next UTC midnight.
 */
describe('partner-bff: per-partner daily quota', () => {
  let stack: Stack;
  const DEFAULT_QUOTA = 4;
  const small = partnerKey('small', ['catalog:read'], { dailyQuota: 3 });
  const other = partnerKey('other', ['catalog:read']);
  const rotating = partnerKey('rotating', ['catalog:read'], { dailyQuota: 3 });
  const successor = partnerKey('rotating', ['catalog:read'], { dailyQuota: 3 });

  beforeAll(async () => {
    stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
      PARTNER_API_KEYS: partnerKeysEnv(small, other, rotating, successor),
      PARTNER_DAILY_QUOTA: String(DEFAULT_QUOTA),
      RATE_LIMIT_MAX: '1000',
      ...partnerClientEnv(sandbox.idp!.issuer),
    }));
  });
  afterAll(() => stack?.close());

  const feed = (key: string) => fetch(`${stack.url}/v1/catalog?limit=1`, { headers: { 'x-api-key': key } });
  /** The "daily" item of a structured-field list header. */
  const daily = (res: Response, header: string) => (res.headers.get(header) ?? '').split(', ').find((item) => item.startsWith('"daily";'));
  /** The next UTC midnight, when every daily quota resets. */
  const nextMidnight = () => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  };
  const secondsToMidnight = () => (nextMidnight().getTime() - Date.now()) / 1000;

  it("counts down the key's own quota after the request budget, then answers 429 quota-exceeded until the next UTC midnight", async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await feed(small.key);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-policy')).toBe('"default";q=1000;w=60, "daily";q=3;w=86400');
      expect(res.headers.get('ratelimit')).toMatch(/^"default";r=\d+;t=\d+, "daily";r=\d+;t=\d+$/);
      remaining.push(/r=(\d+)/.exec(daily(res, 'ratelimit') ?? '')?.[1] ?? '?');
      const t = Number(/t=(\d+)/.exec(daily(res, 'ratelimit') ?? '')?.[1]);
      expect(Math.abs(t - secondsToMidnight())).toBeLessThanOrEqual(2);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    const refused = await feed(small.key);
    const body = await expectProblem(refused, 429, 'quota-exceeded');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Math.abs(retryAfter - secondsToMidnight())).toBeLessThanOrEqual(2);
    expect(body.detail).toContain(nextMidnight().toISOString());
    expect(daily(refused, 'ratelimit')).toMatch(/^"daily";r=0;t=\d+$/);
    expect(daily(refused, 'ratelimit-policy')).toBe('"daily";q=3;w=86400');
    // Still refused: the count only grows until the day ends.
    await expectProblem(await feed(small.key), 429, 'quota-exceeded');
  });

  it('leaves other partners unaffected; without a key quota they get the platform default', async () => {
    const res = await feed(other.key);
    expect(res.status).toBe(200);
    expect(daily(res, 'ratelimit-policy')).toBe(`"daily";q=${DEFAULT_QUOTA};w=86400`);
    expect(daily(res, 'ratelimit')).toMatch(new RegExp(`^"daily";r=${DEFAULT_QUOTA - 1};t=\\d+$`));
  });

  it("is one quota per partner: a rotation's two keys share the count", async () => {
    expect((await feed(rotating.key)).status).toBe(200);
    expect((await feed(successor.key)).status).toBe(200);
    const third = await feed(rotating.key);
    expect(daily(third, 'ratelimit')).toMatch(/^"daily";r=0;/);
    await expectProblem(await feed(successor.key), 429, 'quota-exceeded');
  });

  it('sends no daily item before authentication: a refused key does not count', async () => {
    const res = await fetch(`${stack.url}/v1/catalog?limit=1`);
    await expectProblem(res, 401, 'missing-credentials');
    expect(res.headers.get('ratelimit')).toBeNull();
  });
});
