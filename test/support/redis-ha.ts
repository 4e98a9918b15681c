import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { routeCacheKey } from '@bff/cache';
import { createPlatformApp } from '@bff/core';

import { PARTNER_BFF } from '../../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../../apps/partner-bff/src/partner-bff.module.js';
import type { Sandbox } from '../../sandbox/src/index.ts';
import { CACHE_TEST_APP, CacheTestAppModule } from './cache-test-app.js';
import { startCacheApp, type CacheApp } from './cache.js';
import { partnerClientEnv } from './partner-keys.js';
import { appEnv, upstreamEnvFor } from './stack.js';
import { startWebAuthStack, type WebAuthStack } from './web-auth.js';

/**
 * Every Redis feature on one topology, through the real apps: two web-bff instances (sessions,
 * refresh lease), two instances of the cache test app (L2, coalescing lease, invalidation pub/sub)
 * and two partner-bff instances (shared rate limits, partner keys registered by
 * scripts/partner-keys.mjs), all on one sandbox. `redisEnv` selects the topology (REDIS_MODE...).
 */
export interface HaApps {
  readonly web: WebAuthStack;
  readonly webUrls: readonly [string, string];
  readonly cache: readonly [CacheApp, CacheApp];
  readonly partner: readonly [PartnerInstance, PartnerInstance];
  readonly sandbox: Sandbox;
  /** `scripts/partner-keys.mjs` with the topology's settings, exactly as an operator runs it. */
  partnerKeys(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface PartnerInstance {
  readonly app: NestFastifyApplication;
  readonly url: string;
}

export interface HaPrefixes {
  readonly auth: string;
  readonly session: string;
  readonly cache: string;
}

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

export async function startHaApps(
  redisEnv: Readonly<Record<string, string | undefined>>,
  prefixes: HaPrefixes,
  options: { accessTokenTtlSeconds?: number; rateLimitMax?: number } = {},
): Promise<HaApps> {
  const web = await startWebAuthStack({
    instances: 2,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    env: { ...redisEnv, SESSION_REDIS_PREFIX: prefixes.session, SESSION_REFRESH_SKEW_SECONDS: '1', CACHE_STORE: 'memory' },
  });
  const started: { close(): Promise<void> }[] = [];
  try {
    const sandbox = web.sandbox;
    // Generous command timeout: the machine is loaded, and these suites are about topology, not a slow Redis.
    const cacheEnv = {
      ...redisEnv,
      CACHE_STORE: 'auto',
      CACHE_REDIS_KEY_PREFIX: prefixes.cache,
      CACHE_REDIS_COMMAND_TIMEOUT_MS: '500',
      CACHE_REDIS_CIRCUIT_OPEN_MS: '500',
      CACHE_L1_TTL_MS: '30000',
    };
    const cacheA = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, cacheEnv);
    started.push(cacheA);
    const cacheB = await startCacheApp(CacheTestAppModule, CACHE_TEST_APP, sandbox, cacheEnv);
    started.push(cacheB);
    const partnerEnv = {
      ...redisEnv,
      AUTH_REDIS_PREFIX: prefixes.auth,
      AUTH_REDIS_TIMEOUT_MS: '500',
      ...partnerClientEnv(),
      PARTNER_KEY_CACHE_MS: '0',
      RATE_LIMIT_MAX: String(options.rateLimitMax ?? 10),
      RATE_LIMIT_WINDOW_MS: '60000',
      CACHE_STORE: 'memory',
    };
    const partnerA = await bootPartner(sandbox, partnerEnv);
    started.push({ close: () => partnerA.app.close() });
    const partnerB = await bootPartner(sandbox, partnerEnv);
    started.push({ close: () => partnerB.app.close() });
    const scriptEnv = { ...process.env, ...redisEnv };
    for (const [name, value] of Object.entries(redisEnv)) if (value === undefined) delete scriptEnv[name];
    return {
      web,
      webUrls: [web.instances[0].url, web.instances[1].url],
      cache: [cacheA, cacheB],
      partner: [partnerA, partnerB],
      sandbox,
      partnerKeys: async (...args) =>
        (
          await run(process.execPath, [join(ROOT, 'scripts/partner-keys.mjs'), ...args, '--prefix', prefixes.auth], {
            cwd: ROOT,
            env: scriptEnv,
            timeout: 20_000,
          })
        ).stdout,
      async close() {
        await Promise.allSettled(started.map((app) => app.close()));
        await web.close();
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((app) => app.close()));
    await web.close();
    throw error;
  }
}

async function bootPartner(sandbox: Sandbox, env: Record<string, string | undefined>): Promise<PartnerInstance> {
  const app = await createPlatformApp(PartnerBffModule, PARTNER_BFF, {
    env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', ...upstreamEnvFor(sandbox), ...env }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

/** The cache test app's key for /t/steady/:id (Node's fetch sends `Accept-Language: *`, negotiated to en). */
export const steadyKey = (id: string): string =>
  routeCacheKey({
    namespace: 'cache-test',
    route: '/t/steady/:id',
    params: { id },
    query: [],
    vary: [['accept-language', 'en']],
    principal: undefined,
  });

/** How many times the sandbox's catalog served GET /products/:id. */
export const productCalls = async (sandbox: Sandbox): Promise<number> =>
  (await sandbox.admin.stats('catalog')).byRoute['GET /products/:id'] ?? 0;
