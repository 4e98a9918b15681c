import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { KNOWN_IDS, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { fetchFrom } from './support/net.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { appEnv, expectProblem, upstreamEnvFor } from './support/stack.js';

/**
 * Two partner-bff instances on one real Redis: rate limits and failed-attempt limits are shared,
 * and API keys registered in Redis (with scripts/partner-keys.mjs) authenticate on both.
 */

const ROOT = join(import.meta.dirname, '..');

/** The shared Redis, or undefined when the suite is skipped (see redisAvailable). */
async function connectRedis(): Promise<Redis | undefined> {
  if (!(await redisAvailable('the shared rate-limit suite'))) return undefined;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

const redis = await connectRedis();
const run = promisify(execFile);

describe.skipIf(!redis)('partner-bff: two instances sharing one Redis', () => {
  const prefix = `bff-test-${randomUUID()}:`;
  let sandbox: Sandbox;
  let a: { app: NestFastifyApplication; url: string };
  let b: { app: NestFastifyApplication; url: string };
  const fromEnv = partnerKey('env-partner', ['catalog:read']);

  /** `scripts/partner-keys.mjs` exactly as the platform team runs it. */
  const script = async (...args: string[]): Promise<string> =>
    (
      await run(process.execPath, [join(ROOT, 'scripts/partner-keys.mjs'), ...args, '--redis-url', REDIS_URL, '--prefix', prefix], {
        cwd: ROOT,
      })
    ).stdout;
  const register = async (partner: string, scopes: string, extra: string[] = []): Promise<{ key: string; id: string }> =>
    JSON.parse(await script('generate', '--partner', partner, '--scopes', scopes, '--register', '--json', ...extra)) as {
      key: string;
      id: string;
    };

  async function boot(env: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string }> {
    const app = await createPlatformApp(PartnerBffModule, PARTNER_BFF, {
      env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', ...upstreamEnvFor(sandbox), ...env }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
  }
  const feed = (instance: { url: string }, key: string, from = '127.0.0.1') =>
    fetchFrom(from, `${instance.url}/v1/catalog?limit=1`, { headers: { 'x-api-key': key } });

  beforeAll(async () => {
    // With the IdP: partner-bff reads orders with its own client-credentials token.
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    const env = {
      REDIS_URL,
      AUTH_REDIS_PREFIX: prefix,
      PARTNER_API_KEYS: partnerKeysEnv(fromEnv),
      ...partnerClientEnv(sandbox.idp!.issuer),
      PARTNER_KEY_CACHE_MS: '0',
      RATE_LIMIT_MAX: '10',
      RATE_LIMIT_WINDOW_MS: '60000',
      AUTH_FAILURE_MAX: '6',
      AUTH_FAILURE_WINDOW_MS: '60000',
      AUTH_FAILURE_BLOCK_MS: '60000',
    };
    a = await boot(env);
    b = await boot(env);
  });
  afterAll(async () => {
    await Promise.all([a?.app.close(), b?.app.close()]);
    await sandbox?.close();
    const keys = await redis!.keys(`${prefix}*`);
    if (keys.length) await redis!.del(...keys);
    redis!.disconnect();
  });

  it('authenticates a key registered in Redis on both instances, and stops when it is revoked', async () => {
    const { key, id } = await register('redis-partner', 'catalog:read orders:read', ['--account', KNOWN_IDS.customer]);
    expect(await redis!.hgetall(`${prefix}partner-key:${id}`)).toMatchObject({
      partner: 'redis-partner',
      scopes: 'catalog:read orders:read',
      account: KNOWN_IDS.customer,
    });
    expect(JSON.stringify(await redis!.hgetall(`${prefix}partner-key:${id}`))).not.toContain(key);
    expect((await feed(a, key)).status).toBe(200);
    expect((await feed(b, key)).status).toBe(200);
    const orders = await fetch(`${b.url}/v1/orders`, { headers: { 'x-api-key': key } });
    expect(orders.status).toBe(200);
    expect((await orders.json()).items.length).toBeGreaterThan(0);
    // Keys from PARTNER_API_KEYS keep working next to the Redis ones.
    expect((await feed(a, fromEnv.key)).status).toBe(200);

    expect(await script('revoke', '--id', id)).toContain(`key ${id} of partner redis-partner revoked`);
    await expectProblem(await feed(a, key), 401, 'invalid-api-key');
    await expectProblem(await feed(b, key), 401, 'invalid-api-key');
  });

  it('rotates: a second key works alongside the first, a third is refused until the old one is expired', async () => {
    const first = await register('rotating', 'catalog:read');
    const second = await register('rotating', 'catalog:read');
    expect((await feed(a, first.key)).status).toBe(200);
    expect((await feed(b, second.key)).status).toBe(200);
    await expect(register('rotating', 'catalog:read')).rejects.toThrow(/already has 2 active keys/);
    await script('expire', '--id', first.id, '--at', 'now');
    await expectProblem(await feed(a, first.key), 401, 'invalid-api-key');
    expect((await feed(a, second.key)).status).toBe(200);
    const third = await register('rotating', 'catalog:read');
    expect((await feed(b, third.key)).status).toBe(200);
  });

  it('shares the per-partner rate limit: requests split across A and B hit it at the combined count', async () => {
    const { key } = await register('shared-limit', 'catalog:read');
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await feed(i % 2 ? b : a, key);
      statuses.push(res.status);
      remaining.push(/r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1] ?? '?');
    }
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 200));
    // One budget counted down by both instances.
    expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    const limitedA = await feed(a, key);
    const body = await expectProblem(limitedA, 429, 'rate-limited');
    expect(body.detail).toBe('Rate limit exceeded: at most 10 requests per 60 s. Retry later.');
    expect(Number(limitedA.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectProblem(await feed(b, key), 429, 'rate-limited');
    expect(await redis!.exists(`${prefix}rl:{default:partner:shared-limit}:block`)).toBe(1);
  });

  it('shares the failed-attempt limit: guessing keys across A and B is blocked at the combined count', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await feed(i % 2 ? b : a, partnerKey('guess', ['catalog:read']).key, '127.0.0.7')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    await expectProblem(await feed(b, fromEnv.key, '127.0.0.7'), 429, 'too-many-auth-failures');
    expect((await feed(a, fromEnv.key)).status).toBe(200);
  });

  it('fails open when Redis is down: env keys are served (no 5xx), Redis-held keys answer 503', async () => {
    const { key } = await register('needs-redis', 'catalog:read');
    // An instance whose Redis is unreachable (nothing listens on port 9).
    const down = await boot({
      REDIS_URL: 'redis://127.0.0.1:9',
      AUTH_REDIS_PREFIX: prefix,
      PARTNER_API_KEYS: partnerKeysEnv(fromEnv),
      ...partnerClientEnv(),
      RATE_LIMIT_MAX: '1',
    });
    try {
      for (let i = 0; i < 3; i++) expect((await feed(down, fromEnv.key)).status).toBe(200);
      const res = await feed(down, key);
      await expectProblem(res, 503, 'auth-backend-unavailable');
      expect(res.headers.get('retry-after')).toBe('5');
    } finally {
      await down.app.close();
    }
  });
});
