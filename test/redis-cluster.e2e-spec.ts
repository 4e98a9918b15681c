import { createHash, randomUUID } from 'node:crypto';

import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';

import { CookieJar, KNOWN_IDS } from '../sandbox/src/index.ts';
import { eventually, sleep } from './support/cache.js';
import { productCalls, startHaApps, steadyKey, type HaApps } from './support/redis-ha.js';
import { startRedisCluster, type RedisClusterTopology } from './support/redis-topology.js';
import { expectProblem, postJson } from './support/stack.js';
import { browserLogin, PROD_SESSION_COOKIE, spaFetch } from './support/web-auth.js';

/**
 * Every Redis feature on a real 3-master Redis Cluster (REDIS_MODE=cluster), through the real
 * apps: sessions and the refresh lease (web-bff x2), the two-tier cache with its coalescing lease
 * and invalidation broadcast (cache test app x2), shared rate limits and partner keys registered by
 * scripts/partner-keys.mjs (partner-bff x2). Multi-key scripts must keep their keys in one slot
 * (hash tags), or the Cluster refuses them with CROSSSLOT.
 */

const AT_TTL_S = 2;
const ns = `ha${randomUUID().slice(0, 8)}`;
const prefixes = { auth: `${ns}:auth:`, session: `${ns}:session:`, cache: `${ns}:cache:` };

describe('Redis Cluster (3 masters): sessions, caches, rate limits, leases, partner keys', () => {
  let topology: RedisClusterTopology;
  let apps: HaApps;
  let cluster: Cluster;
  const slotOf = async (key: string): Promise<number> => Number(await cluster.cluster('KEYSLOT', key));

  beforeAll(async () => {
    topology = await startRedisCluster();
    cluster = topology.connect();
    apps = await startHaApps(topology.env, prefixes, { accessTokenTtlSeconds: AT_TTL_S });
  }, 60_000);
  afterAll(async () => {
    await apps?.close();
    cluster?.disconnect();
    await topology?.stop();
  });

  it('signs in on web-bff A and is served by B; one refresh across both instances (the lease); the session is in the Cluster', async () => {
    const [a, b] = apps.webUrls;
    const jar = new CookieJar();
    const login = await browserLogin(a, jar);
    expect(login.response?.status).toBe(302);
    jar.set(b, PROD_SESSION_COOKIE, login.sessionId!, 'Path=/; Secure; HttpOnly; SameSite=Strict');
    expect((await spaFetch(jar, `${b}/auth/user`)).status).toBe(200);
    const key = `${prefixes.session}s:${createHash('sha256').update(login.sessionId!).digest('base64url')}`;
    expect(await cluster.exists(key)).toBe(1);

    await apps.web.sandbox.admin.reset();
    await sleep(AT_TTL_S * 1000 + 200);
    apps.web.idp.setTokenFaults([{ grantType: 'refresh_token', latencyMs: 300 }]);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => spaFetch(jar, `${i % 2 ? b : a}/api/v1/me`)));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(apps.web.idp.stats()).toMatchObject({ refreshes: 1, refreshFailures: 0 });
  });

  it('shares the cache: B serves what A computed, concurrent misses coalesce (lease), a tag invalidation reaches B', async () => {
    const [a, b] = apps.cache;
    const id = KNOWN_IDS.product;
    const before = await productCalls(apps.sandbox);
    expect(a.app.get(CacheService).status()).toMatchObject({ kind: 'tiered', redis: 'ready' });
    expect((await fetch(`${a.url}/t/steady/${id}`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${b.url}/t/steady/${id}`)).headers.get('x-cache')).toBe('HIT');
    expect((await productCalls(apps.sandbox)) - before).toBe(1);
    // The entry and its tag set hash to different slots: tagging works key by key on a Cluster.
    const entryKey = `${prefixes.cache}${steadyKey(id)}`;
    const tagKey = `${prefixes.cache}tag:product:${id}`;
    expect(await slotOf(entryKey)).not.toBe(await slotOf(tagKey));
    expect(await cluster.sismember(tagKey, entryKey)).toBe(1);

    await apps.sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.productOutOfStock}`, latencyMs: 300 }]);
    const coalescedBefore = await productCalls(apps.sandbox);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetch(`${(i % 2 ? a : b).url}/t/steady/${KNOWN_IDS.productOutOfStock}`)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await productCalls(apps.sandbox)) - coalescedBefore).toBe(1);
    await apps.sandbox.admin.setFaults('catalog', []);

    const result = await postJson(`${a.url}/admin/cache/invalidate`, { tags: [`product:${id}`] }, { 'x-test-admin': 'cache:admin' });
    expect(await result.json()).toEqual({ removed: 2, shared: 'ok' });
    expect(await cluster.exists(entryKey)).toBe(0);
    expect(await cluster.exists(tagKey)).toBe(0);
    // B held the entry in memory (L1 30 s): the broadcast, published on one node, reached B's subscriber wherever it is.
    await eventually(async () => (await fetch(`${b.url}/t/steady/${id}`)).headers.get('x-cache') === 'MISS', 5_000, 'B to drop its copy');
  });

  it('authenticates a partner key the script registered on the Cluster, on both instances; shares the rate limit; revokes', async () => {
    const [a, b] = apps.partner;
    const { key, id } = JSON.parse(
      await apps.partnerKeys('generate', '--partner', 'cluster-partner', '--scopes', 'catalog:read', '--register', '--json'),
    ) as { key: string; id: string };
    // The key hash and the partner's index sit on different slots (no MULTI across them on a Cluster).
    expect(await slotOf(`${prefixes.auth}partner-key:${id}`)).not.toBe(await slotOf(`${prefixes.auth}partner-keys:cluster-partner`));
    // `list` scans every master.
    expect(await apps.partnerKeys('list')).toContain(id);

    const feed = (instance: { url: string }) => fetch(`${instance.url}/v1/catalog?limit=1`, { headers: { 'x-api-key': key } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await feed(i % 2 ? b : a)).status);
    expect(statuses).toEqual(Array(10).fill(200));
    await expectProblem(await feed(a), 429, 'rate-limited');
    await expectProblem(await feed(b), 429, 'rate-limited');
    expect(await cluster.exists(`${prefixes.auth}rl:{default:partner:cluster-partner}:block`)).toBe(1);

    expect(await apps.partnerKeys('revoke', '--id', id)).toContain(`key ${id} of partner cluster-partner revoked`);
    expect(await cluster.exists(`${prefixes.auth}partner-key:${id}`)).toBe(0);
  });
});
