import { randomUUID } from 'node:crypto';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { getSeedCustomers, KNOWN_IDS, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { MOBILE_APP_SCOPES, mobileExchangeEnv } from './support/mobile-exchange.js';
import { nativeAppLogin } from './support/oauth.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { appEnv, expectProblem, upstreamEnvFor } from './support/stack.js';

const available = await redisAvailable('the mobile checkout Redis suite');

/**
 * Two mobile-bff instances on one Redis (as behind a load balancer): checkout keys and the per-user route cache
 * are shared, so a replay reaching the other instance answers the same order, and a cart change made through one
 * instance is what the other answers next (the forgotten entry is dropped everywhere).
 */
describe.skipIf(!available)('mobile-bff cart and checkout on two instances sharing Redis', () => {
  const prefix = `test:mobile-cart:${randomUUID().slice(0, 8)}:`;
  let sandbox: Sandbox;
  let redis: Redis;
  const apps: NestFastifyApplication[] = [];
  let a: string;
  let b: string;
  let auth: Record<string, string>;
  const customer = getSeedCustomers()[30];

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    const urls: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const app = await createPlatformApp(MobileBffModule, MOBILE_BFF, {
        env: appEnv({
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          REDIS_URL,
          AUTH_REDIS_PREFIX: `${prefix}auth:`,
          CACHE_REDIS_KEY_PREFIX: `${prefix}cache:`,
          IDEMPOTENCY_REDIS_PREFIX: `${prefix}idem:`,
          ...upstreamEnvFor(sandbox),
          ...mobileExchangeEnv(sandbox),
        }),
      });
      apps.push(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      urls.push(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
    }
    [a, b] = urls as [string, string];
    const tokens = await nativeAppLogin(sandbox.idp!, { scope: MOBILE_APP_SCOPES, email: customer.email, password: customer.password });
    auth = { authorization: `Bearer ${tokens.accessToken}` };
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await sandbox?.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });

  const call = (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('a cart change through one instance is what the other answers next', async () => {
    const before = await call(b, 'GET', '/api/v1/cart');
    expect((await before.json()).itemCount).toBe(0);
    expect((await call(b, 'GET', '/api/v1/cart')).headers.get('x-cache')).toBe('HIT');

    await call(a, 'POST', '/api/v1/cart/items', {}, { productId: KNOWN_IDS.product, quantity: 2 });
    await expect.poll(async () => (await (await call(b, 'GET', '/api/v1/cart')).json()).itemCount, { timeout: 2_000 }).toBe(2);
  });

  it('answers a checkout replay on the other instance with the same order; the key is kept under the mobile namespace', async () => {
    const key = randomUUID();
    const placed = await call(a, 'POST', '/api/v1/checkout', { 'idempotency-key': key });
    expect(placed.status).toBe(201);
    const order = await placed.json();

    const stored = await redis.keys(`${prefix}idem:*`);
    expect(stored).toEqual([`${prefix}idem:mobile-checkout:${customer.id}:${key}`]);

    const replay = await call(b, 'POST', '/api/v1/checkout', { 'idempotency-key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await replay.json()).id).toBe(order.id);

    await call(b, 'POST', '/api/v1/cart/items', {}, { productId: KNOWN_IDS.product, quantity: 1 });
    await expectProblem(await call(a, 'POST', '/api/v1/checkout', { 'idempotency-key': key }), 422, 'idempotency-key-reused');
  });
});
