import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  KNOWN_IDS,
  type Customer,
  type Price,
  type Problem,
  type Rating,
  type Recommendation,
  type Review,
  type Sandbox,
  type Stock,
} from '../src/index.ts';
import { getJson, start } from './support.ts';

interface ReviewPage {
  items: Review[];
  page: number;
  pageSize: number;
  total: number;
}

let sandbox: Sandbox;

beforeAll(async () => {
  // The services' own behaviour, every customer's data included: authorization is sandbox/test/authz.spec.ts's.
  sandbox = await start({ authz: 'off' });
});
afterAll(() => sandbox.close());

describe('pricing', () => {
  it('returns a price in integer minor units', async () => {
    const { status, headers, body } = await getJson<Price>(`${sandbox.urls.pricing}/prices/${KNOWN_IDS.product}`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('public, max-age=5');
    expect(body).toMatchObject({ productId: 'p-00001', currency: 'EUR' });
    expect(Number.isInteger(body.amount) && Number.isInteger(body.listAmount)).toBe(true);
    expect(body.discountPct).toBeGreaterThan(0);
    expect(body.amount).toBeLessThan(body.listAmount);
    expect(Date.parse(body.validUntil)).not.toBeNaN();
  });

  it('answers 404 for a catalog product without price', async () => {
    for (const id of KNOWN_IDS.productsWithoutPrice) {
      expect((await getJson(`${sandbox.urls.pricing}/prices/${id}`)).status, id).toBe(404);
    }
  });

  it('bulk: returns known ids in request order and omits unknown ones', async () => {
    const ids = ['p-00002', KNOWN_IDS.productNoPrice, 'p-00001', KNOWN_IDS.productUnknown, 'p-00002'];
    const { status, body } = await getJson<{ items: Price[] }>(`${sandbox.urls.pricing}/prices?ids=${ids.join(',')}`);
    expect(status).toBe(200);
    expect(body.items.map((p) => p.productId)).toEqual(['p-00002', 'p-00001']);
    const single = await getJson<Price>(`${sandbox.urls.pricing}/prices/p-00002`);
    expect(body.items[0]).toEqual(single.body);
  });

  it('bulk: 400 for more than 100 ids or no ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `p-${String(i + 1).padStart(5, '0')}`);
    expect((await getJson(`${sandbox.urls.pricing}/prices?ids=${ids.slice(0, 100).join(',')}`)).status).toBe(200);
    const tooMany = await getJson<Problem>(`${sandbox.urls.pricing}/prices?ids=${ids.join(',')}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await getJson(`${sandbox.urls.pricing}/prices`)).status).toBe(400);
    expect((await getJson(`${sandbox.urls.pricing}/prices?ids=`)).status).toBe(400);
  });

  it('bulk responses are cacheable with ETag/304', async () => {
    const url = `${sandbox.urls.pricing}/prices?ids=p-00001,p-00002`;
    const first = await getJson(url);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});

describe('inventory', () => {
  it('returns stock records incl. out of stock', async () => {
    const inStock = await getJson<Stock>(`${sandbox.urls.inventory}/stock/${KNOWN_IDS.product}`);
    expect(inStock.headers.get('cache-control')).toBe('no-cache');
    expect(inStock.body).toMatchObject({ productId: 'p-00001', inStock: true, restockDate: null });
    expect(inStock.body.available).toBeGreaterThan(0);

    const out = await getJson<Stock>(`${sandbox.urls.inventory}/stock/${KNOWN_IDS.productOutOfStock}`);
    expect(out.body).toMatchObject({ productId: 'p-00003', available: 0, inStock: false });
    expect(out.body.restockDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('404 for products without stock record; bulk omits them', async () => {
    expect((await getJson(`${sandbox.urls.inventory}/stock/${KNOWN_IDS.productNoStock}`)).status).toBe(404);
    const { body } = await getJson<{ items: Stock[] }>(
      `${sandbox.urls.inventory}/stock?ids=${KNOWN_IDS.product},${KNOWN_IDS.productNoStock},${KNOWN_IDS.productOutOfStock}`,
    );
    expect(body.items.map((s) => s.productId)).toEqual(['p-00001', 'p-00003']);
  });

  it('has some out-of-stock products across the catalog', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `p-${String(i + 1).padStart(5, '0')}`);
    const { body } = await getJson<{ items: Stock[] }>(`${sandbox.urls.inventory}/stock?ids=${ids.join(',')}`);
    expect(body.items.filter((s) => !s.inStock).length).toBeGreaterThan(0);
    expect(body.items.filter((s) => s.inStock).length).toBeGreaterThan(50);
  });
});

describe('reviews', () => {
  it('pages reviews newest first', async () => {
    const base = `${sandbox.urls.reviews}/products/${KNOWN_IDS.product}`;
    const page1 = await getJson<ReviewPage>(`${base}/reviews?pageSize=10`);
    expect(page1.status).toBe(200);
    expect(page1.headers.get('etag')).toBeTruthy();
    expect(page1.body).toMatchObject({ page: 1, pageSize: 10, total: 23 });
    expect(page1.body.items).toHaveLength(10);
    const dates = page1.body.items.map((r) => r.createdAt);
    expect([...dates].sort().reverse()).toEqual(dates);
    const page3 = await getJson<ReviewPage>(`${base}/reviews?page=3&pageSize=10`);
    expect(page3.body.items).toHaveLength(3);
    const defaults = await getJson<ReviewPage>(`${base}/reviews`);
    expect(defaults.body).toMatchObject({ page: 1, pageSize: 10 });
    for (const r of page1.body.items) {
      expect(r.rating).toBeGreaterThanOrEqual(1);
      expect(r.rating).toBeLessThanOrEqual(5);
      expect(r.productId).toBe('p-00001');
    }
  });

  it('computes the rating summary consistently with the reviews', async () => {
    const base = `${sandbox.urls.reviews}/products/${KNOWN_IDS.product}`;
    const all = await getJson<ReviewPage>(`${base}/reviews?pageSize=50`);
    const { body } = await getJson<Rating>(`${base}/rating`);
    expect(body.count).toBe(23);
    const sum = all.body.items.reduce((s, r) => s + r.rating, 0);
    expect(body.average).toBe(Math.round((sum / 23) * 10) / 10);
    expect(Object.values(body.histogram).reduce((a, b) => a + b, 0)).toBe(23);
    expect(body.histogram['5']).toBe(all.body.items.filter((r) => r.rating === 5).length);
  });

  it('handles products without reviews, unknown products and bad paging', async () => {
    const none = await getJson<Rating>(`${sandbox.urls.reviews}/products/${KNOWN_IDS.productNoReviews}/rating`);
    expect(none.body).toEqual({
      productId: 'p-00004',
      average: 0,
      count: 0,
      histogram: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    });
    const empty = await getJson<ReviewPage>(`${sandbox.urls.reviews}/products/${KNOWN_IDS.productNoReviews}/reviews`);
    expect(empty.body).toEqual({ items: [], page: 1, pageSize: 10, total: 0 });
    expect((await getJson(`${sandbox.urls.reviews}/products/${KNOWN_IDS.productUnknown}/reviews`)).status).toBe(404);
    expect((await getJson(`${sandbox.urls.reviews}/products/${KNOWN_IDS.productUnknown}/rating`)).status).toBe(404);
    expect((await getJson(`${sandbox.urls.reviews}/products/p-00001/reviews?pageSize=51`)).status).toBe(400);
    expect((await getJson(`${sandbox.urls.reviews}/products/p-00001/reviews?page=0`)).status).toBe(400);
  });
});

describe('recommendations', () => {
  it('recommends similar products, sorted by score, never the product itself', async () => {
    const { status, body } = await getJson<{ items: Recommendation[] }>(
      `${sandbox.urls.recommendations}/recommendations?productId=${KNOWN_IDS.product}`,
    );
    expect(status).toBe(200);
    expect(body.items).toHaveLength(5);
    expect(body.items.some((r) => r.productId === KNOWN_IDS.product)).toBe(false);
    const scores = body.items.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('supports categoryId, limit and rejects unknown references', async () => {
    const byCategory = await getJson<{ items: Recommendation[] }>(
      `${sandbox.urls.recommendations}/recommendations?categoryId=${KNOWN_IDS.leafCategory}&limit=10`,
    );
    expect(byCategory.body.items).toHaveLength(10);
    const products = await Promise.all(
      byCategory.body.items.map((r) => getJson<{ categoryId: string }>(`${sandbox.urls.catalog}/products/${r.productId}`)),
    );
    expect(products.every((p) => p.body.categoryId === KNOWN_IDS.leafCategory)).toBe(true);
    const global = await getJson<{ items: Recommendation[] }>(`${sandbox.urls.recommendations}/recommendations?limit=3`);
    expect(global.body.items).toHaveLength(3);
    expect((await getJson(`${sandbox.urls.recommendations}/recommendations?productId=p-99999`)).status).toBe(404);
    expect((await getJson(`${sandbox.urls.recommendations}/recommendations?limit=0`)).status).toBe(400);
  });
});

describe('customers', () => {
  it('returns a customer (private cacheable) and 404 for unknown ones', async () => {
    const { body, headers } = await getJson<Customer>(`${sandbox.urls.customers}/customers/${KNOWN_IDS.customer}`);
    expect(body).toMatchObject({
      id: 'c-0001',
      email: 'alice@example.com',
      givenName: 'Alice',
      familyName: 'Anderson',
      tier: 'gold',
    });
    expect(body).not.toHaveProperty('password');
    expect(headers.get('cache-control')).toBe('private, max-age=30');
    expect(headers.get('etag')).toBeTruthy();
    expect((await getJson(`${sandbox.urls.customers}/customers/c-0200`)).status).toBe(200);
    expect((await getJson(`${sandbox.urls.customers}/customers/${KNOWN_IDS.customerUnknown}`)).status).toBe(404);
  });
});
