import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CookieJar, KNOWN_IDS } from '../sandbox/src/index.ts';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { expectProblem } from './support/stack.js';
import { browserLogin, PROD_SESSION_COOKIE, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

const available = await redisAvailable('the web checkout Redis suite');

describe.skipIf(!available)('web-bff checkout idempotency in Redis, shared by two instances', () => {
  const prefix = `test:web-cart:${randomUUID().slice(0, 8)}:`;
  let stack: WebAuthStack;
  let redis: Redis;
  let a: string;
  let b: string;
  let jar: CookieJar;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    stack = await startWebAuthStack({
      instances: 2,
      env: { REDIS_URL, SESSION_REDIS_PREFIX: `${prefix}session:`, IDEMPOTENCY_REDIS_PREFIX: `${prefix}idem:` },
    });
    [a, b] = stack.instances.map((i) => i.url) as [string, string];
    // One browser behind a load balancer: the session signed in on A is sent to B too.
    jar = new CookieJar();
    const login = await browserLogin(a, jar);
    jar.set(b, PROD_SESSION_COOKIE, login.sessionId!, 'Path=/; Secure; HttpOnly; SameSite=Strict');
  });
  afterAll(async () => {
    await stack?.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const checkout = (base: string, key: string): Promise<Response> =>
    spaFetch(jar, `${base}/api/v1/checkout`, { method: 'POST', headers: { 'idempotency-key': key } });

  it('answers a replay on the other instance with the same order, after the first one emptied the cart', async () => {
    const key = randomUUID();
    const placed = await checkout(a, key);
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string };
    const cart = (await (await spaFetch(jar, `${b}/api/v1/cart`)).json()) as { lines: unknown[] };
    expect(cart.lines).toEqual([]);

    // What the key placed is in the shared store, under the configured prefix (namespaced by customer).
    const stored = await redis.keys(`${prefix}idem:*`);
    expect(stored).toEqual([`${prefix}idem:web-checkout:${KNOWN_IDS.customer}:${key}`]);
    expect(await redis.pttl(stored[0])).toBeGreaterThan(23 * 60 * 60 * 1000);

    const replay = await checkout(b, key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect(((await replay.json()) as { id: string }).id).toBe(order.id);

    // B also refuses the key for another cart; a new key on B then places a second, distinct order.
    await spaFetch(jar, `${b}/api/v1/cart/items`, { method: 'POST', body: { productId: KNOWN_IDS.productAlt, quantity: 1 } });
    await expectProblem(await checkout(b, key), 422, 'idempotency-key-reused');
    const second = await checkout(b, randomUUID());
    expect(second.status).toBe(201);
    expect(((await second.json()) as { id: string }).id).not.toBe(order.id);
  });
});
