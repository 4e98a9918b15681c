import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_IDS } from '../sandbox/src/index.ts';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { expectProblem, postJson, startStack, type Stack } from './support/stack.js';

describe('partner-bff against the real sandbox', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(PartnerBffModule, PARTNER_BFF, { BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => stack?.close());
  afterEach(() => stack.sandbox.admin.reset());

  const feed = (query = '') => fetch(`${stack.url}/v1/catalog${query}`);

  it('pages through the catalogue feed with prices and availability', async () => {
    const first = await feed('?limit=5');
    expect(first.status).toBe(200);
    const page1 = await first.json();
    expect(page1.items).toHaveLength(5);
    expect(page1.items[0]).toMatchObject({ id: KNOWN_IDS.firstProduct, price: { currency: 'EUR' }, availability: { inStock: true } });
    expect(typeof page1.nextCursor).toBe('string');
    const page2 = await (await feed(`?limit=5&cursor=${page1.nextCursor}`)).json();
    expect(page2.items[0].id).toBe('p-00006');
    // Prices and stock come from one bulk call each, not one per item.
    expect((await stack.sandbox.admin.stats('pricing')).byRoute).toEqual({ 'GET /prices': 2 });
  });

  it('validates the query: limit bounds and cursor shape', async () => {
    const body = await expectProblem(await feed('?limit=500&cursor=%25%25'), 400, 'validation-failed');
    expect((body.errors as { field: string; in: string }[]).map((e) => `${e.in}:${e.field}`).sort()).toEqual(['query:cursor', 'query:limit']);
    await expectProblem(await feed('?unknown=1'), 400, 'validation-failed');
  });

  it('maps a cursor the catalogue rejects to 400, never 500', async () => {
    await expectProblem(await feed('?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
  });

  it('degrades availability when inventory fails, keeping the feed', async () => {
    await stack.sandbox.admin.setFaults('inventory', [{ status: 503, retryAfter: 2 }]);
    const res = await feed('?limit=3');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items.every((i: { availability: unknown }) => i.availability === null)).toBe(true);
    expect(body.meta.degraded).toEqual([{ section: 'stock', reason: 'upstream_error' }]);
    expect(res.headers.get('x-degraded-sections')).toBe('stock');
  });

  it('looks up known ids and answers body errors with problems', async () => {
    const ok = await postJson(`${stack.url}/v1/catalog/lookup`, { ids: [KNOWN_IDS.product, KNOWN_IDS.productUnknown] });
    expect((await ok.json()).notFound).toEqual([KNOWN_IDS.productUnknown]);
    await expectProblem(await postJson(`${stack.url}/v1/catalog/lookup`, '['), 400, 'malformed-json');
    await expectProblem(await postJson(`${stack.url}/v1/catalog/lookup`, { ids: Array.from({ length: 300 }, (_, i) => `p-${i}`) }), 413, 'payload-too-large');
    await expectProblem(await fetch(`${stack.url}/v1/catalog/lookup`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), 415, 'unsupported-media-type');
  });

  it('answers unknown routes with 404 and documents the API-key scheme', async () => {
    await expectProblem(await fetch(`${stack.url}/v2/catalog`), 404, 'route-not-found');
    const doc = await (await fetch(`${stack.url}/docs-json`)).json();
    expect(doc.info.title).toBe('Partner BFF (third-party API)');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
  });
});
