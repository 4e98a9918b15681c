import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CookieJar,
  KNOWN_IDS,
  PLATFORM_ADMIN_CLIENT_ID,
  PLATFORM_ADMIN_DEV_SECRET,
  SESSION_ADMIN_AUDIENCE,
  SESSION_ADMIN_RESOURCE,
  WEB_BFF_CLIENT_ID,
} from '../sandbox/src/index.ts';
import { clientCredentialsToken } from './support/oauth.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { expectProblem } from './support/stack.js';
import { browserLogin, PROD_SESSION_COOKIE, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

const available = await redisAvailable('the back-channel logout Redis suite');

describe.skipIf(!available)('web-bff back-channel logout and session admin across two instances sharing Redis', () => {
  const prefix = `test:web-bcl:${randomUUID().slice(0, 8)}:`;
  let stack: WebAuthStack;
  let redis: Redis;
  let a: string;
  let b: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    // The IdP delivers logout tokens to instance A only (one back-channel URI per client).
    stack = await startWebAuthStack({
      instances: 2,
      backchannelLogout: true,
      env: { REDIS_URL, SESSION_REDIS_PREFIX: prefix, SESSION_ADMIN_AUDIENCE },
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

  /** Signs in on A; the browser then talks to B (a load balancer in front of both). */
  async function signInOnAUseOnB(): Promise<{ jar: CookieJar; sessionId: string }> {
    const jar = new CookieJar();
    const login = await browserLogin(a, jar);
    expect(login.response?.status).toBe(302);
    const sessionId = login.sessionId!;
    jar.set(b, PROD_SESSION_COOKIE, sessionId, 'Path=/; Secure; HttpOnly; SameSite=Strict');
    expect((await spaFetch(jar, `${b}/auth/user`)).status).toBe(200);
    return { jar, sessionId };
  }

  const adminToken = (): Promise<string> =>
    clientCredentialsToken(
      `${stack.idp.issuer}/token`,
      { id: PLATFORM_ADMIN_CLIENT_ID, secret: PLATFORM_ADMIN_DEV_SECRET },
      { scope: 'sessions:admin', resource: SESSION_ADMIN_RESOURCE },
    );

  it('a logout token received by instance A ends the session the browser uses on instance B; the indexes live in Redis', async () => {
    const { jar } = await signInOnAUseOnB();
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((k) => k.startsWith(`${prefix}u:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}sid:`))).toBe(true);
    const before = stack.idp.stats().backchannelLogouts;
    const result = await stack.idp.backchannelLogout(KNOWN_IDS.customer);
    expect(result.failed).toBe(0);
    expect(stack.idp.stats().backchannelLogouts - before).toBe(result.delivered);
    await expectProblem(await spaFetch(jar, `${b}/auth/user`), 401, 'session-expired');
  });

  it('a logout token is accepted once across instances: replayed on B after A took it, 400', async () => {
    const { jar } = await signInOnAUseOnB();
    const now = Math.floor(Date.now() / 1000);
    const token = stack.idp.signJwt(
      {
        iss: stack.idp.issuer,
        aud: WEB_BFF_CLIENT_ID,
        iat: now,
        exp: now + 120,
        jti: randomUUID(),
        sub: KNOWN_IDS.customer,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      },
      { typ: 'logout+jwt' },
    );
    const post = (base: string): Promise<Response> =>
      fetch(`${base}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
    expect((await post(a)).status).toBe(200);
    await expectProblem(await post(b), 400, 'invalid-logout-token');
    await expectProblem(await spaFetch(jar, `${b}/auth/user`), 401, 'session-expired');
  });

  it('admin: sessions listed on B include one created on A; a revoke on A is effective on B', async () => {
    const token = await adminToken();
    const admin = (base: string, path: string, method = 'GET'): Promise<Response> =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    await admin(a, `/admin/sessions?sub=${KNOWN_IDS.customer}`, 'DELETE');
    const first = await signInOnAUseOnB();
    const second = await signInOnAUseOnB();

    const listed = (await (await admin(b, `/admin/sessions?sub=${KNOWN_IDS.customer}`)).json()) as { items: { handle: string }[] };
    expect(listed.items).toHaveLength(2);
    expect((await admin(a, `/admin/sessions/${listed.items[0].handle}`, 'DELETE')).status).toBe(204);
    const statuses = [(await spaFetch(first.jar, `${b}/auth/user`)).status, (await spaFetch(second.jar, `${b}/auth/user`)).status];
    expect([...statuses].sort()).toEqual([200, 401]);
    const survivor = statuses[0] === 200 ? first : second;

    expect(await (await admin(a, `/admin/sessions?sub=${KNOWN_IDS.customer}`, 'DELETE')).json()).toEqual({
      sub: KNOWN_IDS.customer,
      revoked: 1,
    });
    await expectProblem(await spaFetch(survivor.jar, `${b}/auth/user`), 401, 'session-expired');
    expect(await (await admin(b, `/admin/sessions?sub=${KNOWN_IDS.customer}`)).json()).toEqual({ sub: KNOWN_IDS.customer, items: [] });
  });
});
