import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CacheService } from '@bff/cache';

import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import type { Sandbox } from '../sandbox/src/index.ts';
import { startCacheApp, startTestSandbox, type CacheApp } from './support/cache.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { expectProblem, postJson } from './support/stack.js';

const feedCalls = async (sandbox: Sandbox): Promise<number> => (await sandbox.admin.stats('catalog')).byRoute['GET /products'] ?? 0;

describe('partner-bff catalogue feed cache (real API-key strategy)', () => {
  const acme = partnerKey('acme', ['catalog:read']);
  const acmeSecondKey = partnerKey('acme', ['catalog:read']);
  const globex = partnerKey('globex', ['catalog:read']);
  const operator = partnerKey('platform-ops', ['cache:admin']);
  let sandbox: Sandbox;
  let app: CacheApp;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    app = await startCacheApp(PartnerBffModule, PARTNER_BFF, sandbox, {
      PARTNER_API_KEYS: partnerKeysEnv(acme, acmeSecondKey, globex, operator),
      ...partnerClientEnv(),
      RATE_LIMIT_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });
  afterEach(async () => {
    await app.app.get(CacheService).settled();
    await sandbox.admin.reset();
  });

  const feed = (query: string, key: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/v1/catalog${query}`, { headers: { 'x-api-key': key, ...headers } });

  it('keys the feed by the verified partner: never shared between partners, shared between one partner’s keys', async () => {
    const first = await feed('?limit=4', acme.key);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toMatch(/X-Api-Key/);
    const body = await first.json();

    const other = await feed('?limit=4', globex.key);
    expect(other.headers.get('x-cache')).toBe('MISS');
    expect(await other.json()).toEqual(body); // same catalogue today, but computed for globex
    expect(await feedCalls(sandbox)).toBe(2);

    // Same partner, its second key (a rotation): same partner id, same entry.
    const rotated = await feed('?limit=4', acmeSecondKey.key);
    expect(rotated.headers.get('x-cache')).toBe('HIT');
    expect((await feed('?limit=4', globex.key)).headers.get('x-cache')).toBe('HIT');
    expect(await feedCalls(sandbox)).toBe(2);
    // An ETag from one partner's entry only revalidates that partner's own representation.
    const revalidated = await feed('?limit=4', acme.key, { 'if-none-match': first.headers.get('etag')! });
    expect(revalidated.status).toBe(304);
  });

  it('keeps the query contract: unknown parameters still fail validation (cache bypassed), errors are not cached', async () => {
    expect((await feed('?limit=2', acme.key)).headers.get('x-cache')).toBe('MISS');
    const unknown = await feed('?limit=2&unknown=1', acme.key);
    expect(unknown.headers.get('x-cache')).toBe('BYPASS');
    await expectProblem(unknown, 400, 'validation-failed');
    await expectProblem(await feed('?limit=500', acme.key), 400, 'validation-failed');
    await expectProblem(await feed('?limit=2', 'bffpk_aaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 401, 'invalid-api-key');
    expect(await feedCalls(sandbox)).toBe(1);
  });

  it('lets operators (and only them) invalidate by tag through POST /admin/cache/invalidate', async () => {
    expect((await feed('?limit=3', acme.key)).headers.get('x-cache')).toBe('MISS');
    expect((await feed('?limit=3', acme.key)).headers.get('x-cache')).toBe('HIT');
    const invalidate = (key: string | undefined, body: unknown) =>
      postJson(`${app.url}/admin/cache/invalidate`, body, key ? { 'x-api-key': key } : {});

    await expectProblem(await invalidate(undefined, { tags: ['catalog:feed'] }), 401, 'missing-credentials');
    const forbidden = await expectProblem(await invalidate(acme.key, { tags: ['catalog:feed'] }), 403, 'insufficient-scope');
    expect(forbidden.requiredScopes).toEqual(['cache:admin']);
    expect((await feed('?limit=3', acme.key)).headers.get('x-cache')).toBe('HIT');

    expect((await feed('?limit=3', globex.key)).headers.get('x-cache')).toBe('MISS');
    const ok = await invalidate(operator.key, { tags: ['catalog:feed'] });
    expect(ok.status).toBe(200);
    const result = await ok.json();
    expect(result.shared).toBe('none'); // memory store: this instance
    expect(result.removed).toBeGreaterThanOrEqual(2); // every partner's feed pages carry the tag
    expect((await feed('?limit=3', acme.key)).headers.get('x-cache')).toBe('MISS');
    expect((await feed('?limit=3', globex.key)).headers.get('x-cache')).toBe('MISS');
    expect(await feedCalls(sandbox)).toBe(4);

    const doc = await (await fetch(`${app.url}/docs-json`)).json();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/admin'))).toBe(false);
  });
});
