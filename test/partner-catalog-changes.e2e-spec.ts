import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { KNOWN_IDS } from '../sandbox/src/index.ts';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { expectProblem, startStack, type Stack } from './support/stack.js';

interface ChangeItem {
  id: string;
  updatedAt: string;
  price: { amount: number; currency: string } | null;
  availability: { inStock: boolean } | null;
}
interface Changes {
  items: ChangeItem[];
  deleted: { id: string; deletedAt: string }[];
  nextCursor: string;
  hasMore: boolean;
  meta: { degraded: { section: string; reason: string }[] };
}

describe('partner-bff catalogue delta feed (GET /v1/catalog/changes)', () => {
  let stack: Stack;
  const acme = partnerKey('acme', ['catalog:read']);
  const ordersOnly = partnerKey('orders-only', ['orders:read']);
  const auth = { 'x-api-key': acme.key };
  beforeAll(async () => {
    stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
      PARTNER_API_KEYS: partnerKeysEnv(acme, ordersOnly),
      ...partnerClientEnv(sandbox.idp!.issuer),
    }));
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const changes = (query = '', headers: Record<string, string> = auth) => fetch(`${stack.url}/v1/catalog/changes${query}`, { headers });
  const page = async (query: string): Promise<Changes> => {
    const res = await changes(query);
    expect(res.status).toBe(200);
    return (await res.json()) as Changes;
  };
  /** Simulates a catalogue edit in the sandbox: the product's updatedAt becomes now. */
  const touch = async (id: string) => {
    const res = await fetch(`${stack.sandbox.urls.catalog}/__admin/products/${id}/touch`, { method: 'POST' });
    expect(res.status).toBe(200);
  };
  /** Simulates a discontinued product in the sandbox: it leaves the catalogue, with a tombstone in its change feed. */
  const remove = async (id: string): Promise<{ id: string; deletedAt: string }> => {
    const res = await fetch(`${stack.sandbox.urls.catalog}/__admin/products/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    return (await res.json()) as { id: string; deletedAt: string };
  };

  it('first sync pages through everything, then a later change appears after the saved cursor', async () => {
    const seen: ChangeItem[] = [];
    let query = '?limit=100';
    let last: Changes;
    do {
      last = await page(query);
      seen.push(...last.items);
      query = `?limit=100&cursor=${last.nextCursor}`;
    } while (last.hasMore);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen.map((item) => item.id)).size).toBe(1200);
    const order = seen.map((item) => `${item.updatedAt}|${item.id}`);
    expect(order).toEqual([...order].sort());
    // Enriched like the feed: one bulk price and one bulk stock call per page, never one per item.
    expect((await stack.sandbox.admin.stats('pricing')).byRoute).toEqual({ 'GET /prices': 12 });
    expect((await stack.sandbox.admin.stats('inventory')).byRoute).toEqual({ 'GET /stock': 12 });
    expect(seen.find((item) => item.id === KNOWN_IDS.product)).toMatchObject({ price: { currency: 'EUR' } });

    // In sync: polling from the saved cursor gives an empty page and the same cursor back.
    const saved = last.nextCursor;
    expect(await page(`?cursor=${saved}`)).toEqual({ items: [], deleted: [], nextCursor: saved, hasMore: false, meta: { degraded: [] } });

    await touch('p-00042');
    const delta = await page(`?cursor=${saved}`);
    expect(delta.items.map((item) => item.id)).toEqual(['p-00042']);
    expect(Date.parse(delta.items[0].updatedAt)).toBeGreaterThan(Date.parse(seen.at(-1)!.updatedAt));
    expect(delta.nextCursor).not.toBe(saved);
    expect((await page(`?cursor=${delta.nextCursor}`)).items).toEqual([]);
  });

  it('reports a deleted product in `deleted` at the position of its deletion, with resumable cursors', async () => {
    const tail = await page(`?since=${encodeURIComponent('2025-06-01T00:00:00Z')}`);
    expect(tail).toMatchObject({ items: [], deleted: [], hasMore: false });
    await touch('p-00041');
    const removed = await remove('p-00042');
    await touch('p-00043');

    // One entry per page: the tombstone is an entry of the feed like a change, and the cursor resumes after it.
    const first = await page(`?cursor=${tail.nextCursor}&limit=1`);
    expect(first).toMatchObject({ items: [{ id: 'p-00041' }], deleted: [], hasMore: true });
    const second = await page(`?cursor=${first.nextCursor}&limit=1`);
    expect(second).toMatchObject({ items: [], deleted: [removed], hasMore: true, meta: { degraded: [] } });
    const third = await page(`?cursor=${second.nextCursor}&limit=1`);
    expect(third).toMatchObject({ items: [{ id: 'p-00043' }], deleted: [], hasMore: false });
    expect((await page(`?cursor=${third.nextCursor}`)).items).toEqual([]);
    // A page of tombstones only enriches nothing: no price or stock call for it.
    const before = (await stack.sandbox.admin.stats('pricing')).requests;
    await page(`?cursor=${first.nextCursor}&limit=1`);
    expect((await stack.sandbox.admin.stats('pricing')).requests).toBe(before);

    // The whole range at once; since= finds the deletion by its time too.
    const all = await page(`?cursor=${tail.nextCursor}`);
    expect(all.items.map((item) => item.id)).toEqual(['p-00041', 'p-00043']);
    expect(all.deleted).toEqual([removed]);
    expect((await page(`?since=${encodeURIComponent(removed.deletedAt)}`)).deleted).toEqual([removed]);

    // A full sync after the deletion no longer holds the product, only its tombstone.
    const seen: string[] = [];
    const gone: string[] = [];
    let query = '?limit=100';
    let last: Changes;
    do {
      last = await page(query);
      seen.push(...last.items.map((item) => item.id));
      gone.push(...last.deleted.map((d) => d.id));
      query = `?limit=100&cursor=${last.nextCursor}`;
    } while (last.hasMore);
    expect(seen).toHaveLength(1199);
    expect(seen).not.toContain('p-00042');
    expect(gone).toEqual(['p-00042']);
  });

  it('since= returns the products changed at or after that time', async () => {
    const all = await page('?limit=100');
    const pivot = all.items[50].updatedAt;
    const since = await page(`?limit=100&since=${encodeURIComponent(pivot)}`);
    expect(since.items.length).toBeGreaterThan(0);
    expect(since.items.every((item) => item.updatedAt >= pivot)).toBe(true);
    expect(since.items[0].id).toBe(all.items.find((item) => item.updatedAt >= pivot)!.id);

    // A date after every seed change: empty, yet a cursor to poll from; a change after it shows up there.
    const future = await page(`?since=${encodeURIComponent('2025-06-01T00:00:00+02:00')}`);
    expect(future).toMatchObject({ items: [], hasMore: false });
    await touch(KNOWN_IDS.product);
    expect((await page(`?cursor=${future.nextCursor}`)).items.map((item) => item.id)).toEqual([KNOWN_IDS.product]);
  });

  it('keeps the changes when pricing fails, with null prices and a degraded section', async () => {
    await stack.sandbox.admin.setFaults('pricing', [{ status: 503, retryAfter: 2 }]);
    const res = await changes('?limit=5');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Changes;
    expect(body.items).toHaveLength(5);
    expect(body.items.every((item) => item.price === null && item.availability !== null)).toBe(true);
    expect(body.meta.degraded).toEqual([{ section: 'prices', reason: 'unavailable' }]);
    expect(res.headers.get('x-degraded-sections')).toBe('prices');
  });

  it('answers invalid since, cursor and limit with 400 problems', async () => {
    const body = await expectProblem(await changes('?since=yesterday&limit=0'), 400, 'validation-failed');
    expect((body.errors as { field: string; in: string }[]).map((e) => `${e.in}:${e.field}`).sort()).toEqual([
      'query:limit',
      'query:since',
    ]);
    await expectProblem(await changes('?since=2025-13-01T00:00:00Z'), 400, 'validation-failed');
    await expectProblem(await changes('?since=2025-01-01'), 400, 'validation-failed');
    const saved = (await page('?limit=1')).nextCursor;
    await expectProblem(await changes(`?since=2025-01-01T00:00:00Z&cursor=${saved}`), 400, 'validation-failed');
    await expectProblem(await changes('?cursor=%25%25'), 400, 'validation-failed');
    // Well-formed but not a cursor the catalogue issued (base64url of "not-a-cursor").
    await expectProblem(await changes('?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
    await expectProblem(await changes('?unknown=1'), 400, 'validation-failed');
  });

  it('needs an API key with catalog:read and is never stored by caches', async () => {
    expect((await changes('', {})).status).toBe(401);
    expect((await changes('', { 'x-api-key': ordersOnly.key })).status).toBe(403);
    const res = await changes('?limit=1');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-cache')).toBeNull();
  });
});
