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
import { startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { appEnv, expectProblem, upstreamEnvFor } from './support/stack.js';

/**
 * Two partner-bff instances on one real Redis share each partner's daily quota: one counter per
 * partner and UTC day (`<prefix>quota:{<partner>}:<YYYY-MM-DD>`, expiring at the next UTC
 * midnight), set per key with scripts/partner-keys.mjs.
 */

const ROOT = join(import.meta.dirname, '..');

async function connectRedis(): Promise<Redis | undefined> {
  if (!(await redisAvailable('the shared partner quota suite'))) return undefined;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

const redis = await connectRedis();
const run = promisify(execFile);

describe.skipIf(!redis)('partner-bff: two instances sharing one Redis share the daily quota', () => {
  const prefix = `bff-test-${randomUUID()}:`;
  let sandbox: Sandbox;
  let a: { app: NestFastifyApplication; url: string };
  let b: { app: NestFastifyApplication; url: string };
  const fromEnv = partnerKey('env-partner', ['catalog:read'], { dailyQuota: 4 });

  const script = async (...args: string[]): Promise<string> =>
    (
      await run(process.execPath, [join(ROOT, 'scripts/partner-keys.mjs'), ...args, '--redis-url', REDIS_URL, '--prefix', prefix], {
        cwd: ROOT,
      })
    ).stdout;

  async function boot(env: Record<string, string>): Promise<{ app: NestFastifyApplication; url: string }> {
    const app = await createPlatformApp(PartnerBffModule, PARTNER_BFF, {
      env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', ...upstreamEnvFor(sandbox), ...env }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
  }
  const feed = (instance: { url: string }, key: string) => fetch(`${instance.url}/v1/catalog?limit=1`, { headers: { 'x-api-key': key } });
  const dailyRemaining = (res: Response) => /"daily";r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1];

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    const env = {
      REDIS_URL,
      AUTH_REDIS_PREFIX: prefix,
      PARTNER_API_KEYS: partnerKeysEnv(fromEnv),
      ...partnerClientEnv(sandbox.idp!.issuer),
      PARTNER_KEY_CACHE_MS: '0',
      PARTNER_DAILY_QUOTA: '100',
      RATE_LIMIT_MAX: '1000',
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

  it('counts requests split across A and B against one quota, refused on both past it', async () => {
    const remaining: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await feed(i % 2 ? b : a, fromEnv.key);
      expect(res.status).toBe(200);
      remaining.push(dailyRemaining(res));
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    await expectProblem(await feed(a, fromEnv.key), 429, 'quota-exceeded');
    await expectProblem(await feed(b, fromEnv.key), 429, 'quota-exceeded');

    // One Redis counter for the partner and the UTC day, expiring at the next UTC midnight.
    const now = new Date();
    const key = `${prefix}quota:{env-partner}:${now.toISOString().slice(0, 10)}`;
    expect(await redis!.get(key)).toBe('6');
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(await redis!.pexpiretime(key)).toBe(midnight);
  });

  it('applies a quota set with scripts/partner-keys.mjs to a Redis key, and the platform default after "default"', async () => {
    const { key, id } = JSON.parse(
      await script('generate', '--partner', 'scripted', '--scopes', 'catalog:read', '--daily-quota', '2', '--register', '--json'),
    ) as { key: string; id: string };
    expect(await redis!.hget(`${prefix}partner-key:${id}`, 'dailyQuota')).toBe('2');
    expect(await script('list', '--partner', 'scripted')).toContain('daily quota: 2');
    expect(dailyRemaining(await feed(a, key))).toBe('1');
    expect(dailyRemaining(await feed(b, key))).toBe('0');
    const refused = await feed(a, key);
    await expectProblem(refused, 429, 'quota-exceeded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // Raised with the script: the count so far stays, the new quota applies at once (PARTNER_KEY_CACHE_MS=0).
    expect(await script('quota', '--id', id, '--daily-quota', '5')).toContain('5 requests per UTC day');
    expect(dailyRemaining(await feed(b, key))).toBe('1');
    expect(await script('quota', '--id', id, '--daily-quota', 'default')).toContain('platform default');
    const res = await feed(a, key);
    expect(res.headers.get('ratelimit-policy')).toContain('"daily";q=100;w=86400');
    expect(dailyRemaining(res)).toBe('95');
  });
});
