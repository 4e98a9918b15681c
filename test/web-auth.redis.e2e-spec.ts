import { createHash, randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CookieJar, KNOWN_IDS } from '../sandbox/src/index.ts';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { expectProblem } from './support/stack.js';
import { browserLogin, PROD_SESSION_COOKIE, sleep, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

const AT_TTL_S = 2;
const available = await redisAvailable('the web session Redis suite');

describe.skipIf(!available)('web-bff sessions in Redis, shared by two instances', () => {
  const prefix = `test:web-auth:${randomUUID().slice(0, 8)}:`;
  let stack: WebAuthStack;
  let redis: Redis;
  let a: string;
  let b: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    stack = await startWebAuthStack({
      instances: 2,
      accessTokenTtlSeconds: AT_TTL_S,
      env: { REDIS_URL, SESSION_REDIS_PREFIX: prefix, SESSION_REFRESH_SKEW_SECONDS: '1' },
    });
    [a, b] = stack.instances.map((i) => i.url) as [string, string];
  });
  afterAll(async () => {
    await stack?.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
  afterEach(() => stack.sandbox.admin.reset());

  /** Signs in on A; returns one browser's jar holding the same session cookie for A and B (a load balancer in front of both). */
  async function signInOnA(): Promise<{ jar: CookieJar; sessionId: string }> {
    const jar = new CookieJar();
    const login = await browserLogin(a, jar);
    expect(login.response?.status).toBe(302);
    const sessionId = login.sessionId!;
    jar.set(b, PROD_SESSION_COOKIE, sessionId, 'Path=/; Secure; HttpOnly; SameSite=Strict');
    return { jar, sessionId };
  }

  it('keeps pending logins out of Redis: 200 sign-in starts on A and B add no key, and the session lives on', async () => {
    const { jar } = await signInOnA();
    const before = (await redis.keys(`${prefix}*`)).sort();
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${i % 2 ? b : a}/auth/login`, { redirect: 'manual' });
      expect(res.status).toBe(302);
    }
    expect((await redis.keys(`${prefix}*`)).sort()).toEqual(before);
    expect((await spaFetch(jar, `${b}/auth/user`)).status).toBe(200);
  });

  it('serves a session created on instance A from instance B; Redis holds a digest of the id, never the id', async () => {
    const { jar, sessionId } = await signInOnA();
    const user = await spaFetch(jar, `${b}/auth/user`);
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ sub: KNOWN_IDS.customer, email: KNOWN_IDS.customerEmail });
    expect((await spaFetch(jar, `${b}/api/v1/me`)).status).toBe(200);

    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.some((k) => k.includes(sessionId))).toBe(false);
    const key = `${prefix}s:${createHash('sha256').update(sessionId).digest('base64url')}`;
    expect(keys).toContain(key);
    // Tokens are in Redis (server-side), the cookie value is not.
    expect(JSON.stringify(await redis.hgetall(key))).not.toContain(sessionId);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_800_000);
  });

  it('refreshes once across both instances: concurrent requests on A and B, the IdP sees one refresh', async () => {
    const { jar } = await signInOnA();
    await sleep(AT_TTL_S * 1000 + 200);
    // A slow token endpoint makes sure the instances overlap: B's requests arrive while A refreshes (or the reverse).
    stack.idp.setTokenFaults([{ grantType: 'refresh_token', latencyMs: 300 }]);
    const calls = Array.from({ length: 12 }, (_, i) => spaFetch(jar, `${i % 2 === 0 ? a : b}/api/v1/me`));
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(stack.idp.stats()).toMatchObject({
      refreshes: 1,
      refreshFailures: 0,
      tokenRequests: { authorization_code: 1, refresh_token: 1 },
    });

    // The rotated refresh token reached both instances: the next refresh, on B, succeeds (a reused one would have revoked the grant).
    stack.idp.clearTokenFaults();
    await sleep(AT_TTL_S * 1000 + 200);
    expect((await spaFetch(jar, `${b}/api/v1/me`)).status).toBe(200);
    expect((await spaFetch(jar, `${a}/api/v1/me`)).status).toBe(200);
    expect(stack.idp.stats()).toMatchObject({ refreshes: 2, refreshFailures: 0 });
  });

  it('ends the session on both instances when the refresh is refused on one', async () => {
    const { jar } = await signInOnA();
    stack.idp.setTokenFaults([{ grantType: 'refresh_token', error: 'invalid_grant', times: 1 }]);
    await sleep(AT_TTL_S * 1000 + 200);
    await expectProblem(await spaFetch(jar, `${b}/api/v1/me`), 401, 'session-expired');
    await expectProblem(await spaFetch(jar, `${a}/auth/user`), 401, 'session-expired');
  });

  it('logs out on A and the session is dead on B', async () => {
    const { jar, sessionId } = await signInOnA();
    const key = `${prefix}s:${createHash('sha256').update(sessionId).digest('base64url')}`;
    expect(await redis.exists(key)).toBe(1);
    expect((await spaFetch(jar, `${b}/auth/user`)).status).toBe(200);
    const logout = await spaFetch(jar, `${a}/auth/logout`, { method: 'POST' });
    expect(logout.status).toBe(200);
    await expectProblem(await spaFetch(jar, `${b}/auth/user`), 401, 'session-expired');
    expect(await redis.exists(key)).toBe(0);
  });
});
