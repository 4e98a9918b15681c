import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KNOWN_IDS, type Category, type Problem, type Product, type Sandbox } from '../src/index.ts';
import { getJson, start } from './support.ts';

interface ProductPage {
  items: Product[];
  nextCursor: string | null;
  total: number;
}

let sandbox: Sandbox<'catalog'>;
let base: string;

beforeAll(async () => {
  sandbox = await start({ services: ['catalog'] });
  base = sandbox.urls.catalog;
});
afterAll(() => sandbox.close());

describe('catalog products', () => {
  it('returns a product with the documented shape', async () => {
    const { status, headers, body } = await getJson<Product>(`${base}/products/${KNOWN_IDS.product}`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.id).toBe('p-00001');
    expect(Object.keys(body).sort()).toEqual(
      ['attributes', 'brand', 'categoryId', 'createdAt', 'description', 'id', 'images', 'name', 'sku', 'thumbnailUrl', 'updatedAt'].sort(),
    );
    expect(body.images.length).toBeGreaterThanOrEqual(1);
    expect(body.images[0]).toEqual({ url: expect.stringMatching(/^https:\/\//), alt: expect.any(String) });
    expect(Date.parse(body.createdAt)).toBeLessThan(Date.UTC(2025, 0, 1));
  });

  it('answers 404 problem+json for an unknown product', async () => {
    const { status, headers, body } = await getJson<Problem>(`${base}/products/${KNOWN_IDS.productUnknown}`);
    expect(status).toBe(404);
    expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ type: expect.stringContaining('not-found'), title: 'Not Found', status: 404 });
    expect(body.detail).toContain('p-99999');
  });

  it('paginates all 1,200 products with opaque cursors', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${base}/products?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`;
      const { status, body } = await getJson<ProductPage>(url);
      expect(status).toBe(200);
      expect(body.total).toBe(1200);
      for (const product of body.items) seen.add(product.id);
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(12);
    expect(seen.size).toBe(1200);
    expect(seen.has('p-00001') && seen.has('p-01200')).toBe(true);
  });

  it('defaults to 20 items and filters by name (case-insensitive) and category (with sub-categories)', async () => {
    const first = await getJson<ProductPage>(`${base}/products`);
    expect(first.body.items).toHaveLength(20);
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const q = await getJson<ProductPage>(`${base}/products?q=SMARTPHONE&limit=100`);
    expect(q.body.total).toBeGreaterThan(0);
    expect(q.body.items.every((p) => p.name.toLowerCase().includes('smartphone'))).toBe(true);

    const leaf = await getJson<ProductPage>(`${base}/products?category=${KNOWN_IDS.leafCategory}&limit=100`);
    expect(leaf.body.total).toBeGreaterThan(0);
    expect(leaf.body.items.every((p) => p.categoryId === KNOWN_IDS.leafCategory)).toBe(true);

    const top = await getJson<ProductPage>(`${base}/products?category=${KNOWN_IDS.category}&limit=100`);
    const children = ['cat-07', 'cat-08', 'cat-09'];
    expect(top.body.total).toBeGreaterThan(leaf.body.total);
    expect(top.body.items.every((p) => children.includes(p.categoryId))).toBe(true);

    const none = await getJson<ProductPage>(`${base}/products?category=cat-99`);
    expect(none.body).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  it('rejects invalid limit and cursor with 400 problem+json', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=not-a-cursor', 'cursor=%24%24']) {
      const { status, headers, body } = await getJson<Problem>(`${base}/products?${query}`);
      expect(status, query).toBe(400);
      expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body.status).toBe(400);
    }
  });
});

describe('catalog categories', () => {
  it('looks several products up by id in one call: known ones in request order, unknown ones left out', async () => {
    const ids = [KNOWN_IDS.productAlt, KNOWN_IDS.productUnknown, KNOWN_IDS.product, KNOWN_IDS.productAlt];
    const { status, headers, body } = await getJson<ProductPage>(`${base}/products?ids=${ids.join(',')}`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('public, max-age=60');
    expect(body.items.map((p) => p.id)).toEqual([KNOWN_IDS.productAlt, KNOWN_IDS.product]);
    expect(body).toMatchObject({ nextCursor: null, total: 2 });
    const single = await getJson<Product>(`${base}/products/${KNOWN_IDS.product}`);
    expect(body.items[1]).toEqual(single.body);
  });

  it('rejects a lookup of more than 100 ids, without ids, or combined with listing parameters (400 problem)', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `p-${String(i + 1).padStart(5, '0')}`).join(',');
    const tooMany = await getJson<Problem>(`${base}/products?ids=${many}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(tooMany.body.detail).toContain('at most 100');
    const exactly100 = await getJson<ProductPage>(`${base}/products?ids=${many.split(',').slice(0, 100).join(',')}`);
    expect(exactly100.body.items).toHaveLength(100);
    expect((await getJson<Problem>(`${base}/products?ids=,`)).status).toBe(400);
    const combined = await getJson<Problem>(`${base}/products?ids=${KNOWN_IDS.product}&q=a&limit=5`);
    expect(combined.status).toBe(400);
    expect(combined.body.detail).toBe("'ids' cannot be combined with 'limit', 'q'");
  });

  it('lists 24 categories in a two-level tree', async () => {
    const { body } = await getJson<{ items: Category[] }>(`${base}/categories`);
    expect(body.items).toHaveLength(KNOWN_IDS.categoryCount);
    expect(body.items.filter((c) => c.parentId === null)).toHaveLength(6);
    const ids = new Set(body.items.map((c) => c.id));
    expect(body.items.every((c) => c.parentId === null || ids.has(c.parentId))).toBe(true);
  });

  it('gets one category or 404', async () => {
    expect((await getJson(`${base}/categories/${KNOWN_IDS.leafCategory}`)).body).toEqual({
      id: 'cat-07',
      name: 'Smartphones',
      parentId: 'cat-01',
    });
    expect((await getJson(`${base}/categories/${KNOWN_IDS.categoryUnknown}`)).status).toBe(404);
  });
});

describe('featured products', () => {
  it('lists the most popular products, a stable prefix per limit, bounded 1..48', async () => {
    const { status, headers, body } = await getJson<{ items: Product[] }>(`${base}/featured`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('public, max-age=60');
    expect(body.items).toHaveLength(12);
    expect(new Set(body.items.map((p) => p.id)).size).toBe(12);
    expect(body.items[0]).toEqual((await getJson<Product>(`${base}/products/${body.items[0]?.id ?? ''}`)).body);
    const five = await getJson<{ items: Product[] }>(`${base}/featured?limit=5`);
    expect(five.body.items).toEqual(body.items.slice(0, 5));
    expect((await getJson<{ items: Product[] }>(`${base}/featured?limit=48`)).body.items).toHaveLength(48);
    expect((await getJson<Problem>(`${base}/featured?limit=49`)).status).toBe(400);
    expect((await getJson<Problem>(`${base}/featured?limit=0`)).status).toBe(400);
  });
});

describe('HTTP caching', () => {
  it('sends a strong ETag + Cache-Control and answers If-None-Match with 304', async () => {
    const url = `${base}/products/${KNOWN_IDS.product}`;
    const first = await fetch(url);
    const etag = first.headers.get('etag');
    await first.arrayBuffer();
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=60');

    const again = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');

    const listMatch = await fetch(url, { headers: { 'if-none-match': `"nope", W/${etag ?? ''}` } });
    expect(listMatch.status).toBe(304);

    const other = await fetch(url, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
  });

  it('gives different ETags to different bodies and stable ETags to equal bodies', async () => {
    const a = await fetch(`${base}/products?limit=5`);
    const b = await fetch(`${base}/products?limit=6`);
    const c = await fetch(`${base}/products?limit=5`);
    await Promise.all([a.text(), b.text(), c.text()]);
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
    expect(a.headers.get('etag')).toBe(c.headers.get('etag'));
  });
});

describe('common routes', () => {
  it('serves /health and an unknown route as 404 problem', async () => {
    expect((await getJson(`${base}/health`)).body).toEqual({ status: 'ok' });
    const missing = await getJson<Problem>(`${base}/nope/nothing`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 404, title: 'Not Found', detail: 'no route DELETE /nope/nothing' });
  });
});

describe('catalog change feed (GET /products/changes)', () => {
  interface Changes {
    items: Product[];
    nextCursor: string;
    hasMore: boolean;
  }
  const key = (p: Product) => `${p.updatedAt}|${p.id}`;

  it('gives every product a deterministic updatedAt between its creation and the seed epoch', async () => {
    const { body } = await getJson<Product>(`${base}/products/${KNOWN_IDS.product}`);
    expect(Date.parse(body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(body.createdAt));
    expect(Date.parse(body.updatedAt)).toBeLessThan(Date.UTC(2025, 0, 1));
  });

  it('pages through every product by (updatedAt, id) and filters by updatedSince (inclusive)', async () => {
    const all: Product[] = [];
    let cursor: string | null = null;
    let hasMore = true;
    while (hasMore) {
      const url: string = `${base}/products/changes?limit=100${cursor === null ? '' : `&cursor=${cursor}`}`;
      const { status, body } = await getJson<Changes>(url);
      expect(status).toBe(200);
      all.push(...body.items);
      cursor = body.nextCursor;
      hasMore = body.hasMore;
    }
    expect(all).toHaveLength(1200);
    expect(all.map(key)).toEqual(all.map(key).sort());
    // At the end of the feed the cursor stays usable: an empty page that hands the same position back.
    const tail = await getJson<Changes>(`${base}/products/changes?cursor=${cursor}`);
    expect(tail.body).toEqual({ items: [], nextCursor: cursor, hasMore: false });

    const pivot = all[1000];
    const since = await getJson<Changes>(`${base}/products/changes?limit=100&updatedSince=${encodeURIComponent(pivot.updatedAt)}`);
    expect(since.body.items.every((p) => p.updatedAt >= pivot.updatedAt)).toBe(true);
    expect(since.body.items.map((p) => p.id)).toEqual(
      all
        .filter((p) => p.updatedAt >= pivot.updatedAt)
        .map((p) => p.id)
        .slice(0, 100),
    );
  });

  it('shows a touched product after a saved cursor, and reset restores the seed', async () => {
    const first = await getJson<Changes>(`${base}/products/changes?updatedSince=2025-01-01T00:00:00Z`);
    expect(first.body.items).toEqual([]);
    const touched = await getJson<Product>(`${base}/__admin/products/p-00042/touch`, { method: 'POST' });
    expect(Date.parse(touched.body.updatedAt)).toBeGreaterThan(Date.UTC(2025, 0, 1));
    const next = await getJson<Changes>(`${base}/products/changes?cursor=${first.body.nextCursor}`);
    expect(next.body.items.map((p) => p.id)).toEqual(['p-00042']);
    expect((await getJson<Product>(`${base}/products/p-00042`)).body.updatedAt).toBe(touched.body.updatedAt);
    await sandbox.admin.reset();
    expect((await getJson<Changes>(`${base}/products/changes?cursor=${first.body.nextCursor}`)).body.items).toEqual([]);
  });

  it('removes a deleted product from every read and keeps its tombstone in the feed with includeDeleted', async () => {
    interface WithDeleted extends Changes {
      deleted: { id: string; deletedAt: string }[];
    }
    const first = await getJson<WithDeleted>(`${base}/products/changes?updatedSince=2025-01-01T00:00:00Z&includeDeleted=true`);
    expect(first.body).toMatchObject({ items: [], deleted: [], hasMore: false });
    await getJson<Product>(`${base}/__admin/products/p-00041/touch`, { method: 'POST' });
    const removed = await getJson<{ id: string; deletedAt: string }>(`${base}/__admin/products/p-00042`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ id: 'p-00042', deletedAt: expect.any(String) });
    await getJson<Product>(`${base}/__admin/products/p-00043/touch`, { method: 'POST' });

    // Gone from every read: the product, lookups, listings.
    expect((await getJson(`${base}/products/p-00042`)).status).toBe(404);
    expect((await getJson<ProductPage>(`${base}/products?ids=p-00041,p-00042`)).body.items.map((p) => p.id)).toEqual(['p-00041']);
    expect((await getJson<ProductPage>(`${base}/products?limit=1`)).body.total).toBe(KNOWN_IDS.productCount - 1);
    // Deleting or touching it again: 404.
    expect((await getJson(`${base}/__admin/products/p-00042`, { method: 'DELETE' })).status).toBe(404);
    expect((await getJson(`${base}/__admin/products/p-00042/touch`, { method: 'POST' })).status).toBe(404);

    // With includeDeleted the tombstone sits at its position, between the two touches; limit counts it.
    const feed = await getJson<WithDeleted>(`${base}/products/changes?cursor=${first.body.nextCursor}&includeDeleted=true`);
    expect(feed.body.items.map((p) => p.id)).toEqual(['p-00041', 'p-00043']);
    expect(feed.body.deleted).toEqual([removed.body]);
    const one = await getJson<WithDeleted>(`${base}/products/changes?cursor=${first.body.nextCursor}&includeDeleted=true&limit=2`);
    expect(one.body).toMatchObject({ items: [{ id: 'p-00041' }], deleted: [removed.body], hasMore: true });
    const rest = await getJson<WithDeleted>(`${base}/products/changes?cursor=${one.body.nextCursor}&includeDeleted=true`);
    expect(rest.body).toMatchObject({ items: [{ id: 'p-00043' }], deleted: [], hasMore: false });
    // Without it the feed is what it always was: no tombstones, no `deleted` member.
    const plain = await getJson<WithDeleted>(`${base}/products/changes?cursor=${first.body.nextCursor}`);
    expect(plain.body.items.map((p) => p.id)).toEqual(['p-00041', 'p-00043']);
    expect(plain.body).not.toHaveProperty('deleted');

    await sandbox.admin.reset();
    expect((await getJson<Product>(`${base}/products/p-00042`)).status).toBe(200);
    expect(
      (await getJson<WithDeleted>(`${base}/products/changes?cursor=${first.body.nextCursor}&includeDeleted=true`)).body.deleted,
    ).toEqual([]);
  });

  it('rejects malformed input with 400 problems', async () => {
    for (const query of [
      'includeDeleted=yes',
      'updatedSince=yesterday',
      'updatedSince=2025-01-01',
      'cursor=bm9wZQ',
      'cursor=x&updatedSince=2025-01-01T00:00:00Z',
      'limit=0',
    ]) {
      const { status, body } = await getJson<Problem>(`${base}/products/changes?${query}`);
      expect(status, query).toBe(400);
      expect(body.status).toBe(400);
    }
    expect((await getJson(`${base}/__admin/products/p-99999/touch`, { method: 'POST' })).status).toBe(404);
    expect((await getJson(`${base}/__admin/products/p-99999`, { method: 'DELETE' })).status).toBe(404);
  });
});
