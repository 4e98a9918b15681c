import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { KNOWN_IDS, MOBILE_BFF_AUDIENCE } from '../sandbox/src/index.ts';
import { nativeAppLogin } from './support/oauth.js';
import { appEnv, isolatedRedisNamespaces, startStack, upstreamEnvFor, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/** p-00001 in the sandbox's three catalog languages. */
const NAMES = { en: 'Tundra Ultra Sleeping Bag G800', de: 'Tundra Ultra Schlafsack G800', fr: 'Tundra Sac de couchage Ultra G800' };
const ELECTRONICS = { en: 'Electronics', de: 'Elektronik', fr: 'Électronique' };

describe('Accept-Language against the real sandbox (web-bff and mobile-bff, route cache on)', () => {
  let stack: Stack;
  let web: NestFastifyApplication;
  let webUrl: string;
  let auth: Record<string, string>;
  beforeAll(async () => {
    stack = await startStack(MobileBffModule, MOBILE_BFF, (sandbox) => ({
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      CACHE_STORE: 'memory',
    }));
    web = await createPlatformApp(WebBffModule, WEB_BFF, {
      env: appEnv({
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        CACHE_STORE: 'memory',
        ...isolatedRedisNamespaces(),
        ...upstreamEnvFor(stack.sandbox),
        ...WEB_AUTH_OFFLINE_ENV,
      }),
    });
    await web.listen({ port: 0, host: '127.0.0.1' });
    webUrl = `http://127.0.0.1:${(web.getHttpServer().address() as { port: number }).port}`;
    const tokens = await nativeAppLogin(stack.sandbox.idp!, { scope: 'catalog:read' });
    auth = { authorization: `Bearer ${tokens.accessToken}` };
  });
  afterAll(async () => {
    await web?.close();
    await stack?.close();
  });

  const page = (id: string, language?: string, headers: Record<string, string> = {}) =>
    fetch(`${webUrl}/api/v1/pages/product/${id}`, {
      headers: { ...(language === undefined ? {} : { 'accept-language': language }), ...headers },
    });
  const mobile = (path: string, language: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}${path}`, { headers: { ...auth, 'accept-language': language, ...headers } });

  it('answers the web product page in de, fr and en, with Content-Language and Vary', async () => {
    for (const language of ['de', 'fr', 'en'] as const) {
      const res = await page(KNOWN_IDS.product, language);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-language')).toBe(language);
      expect(res.headers.get('vary')).toMatch(/Accept-Language/);
      const body = await res.json();
      expect(body.product.name).toBe(NAMES[language]);
    }
  });

  it('negotiates q-values and regional ranges; unsupported and malformed headers get the default', async () => {
    const cases: [string | undefined, keyof typeof NAMES][] = [
      ['en;q=0.3, fr;q=0.9, de;q=0.5', 'fr'],
      ['de-CH, en;q=0.5', 'de'],
      ['nl, fr-BE;q=0.2', 'fr'],
      ['*, en;q=0', 'de'],
      ['nl, es;q=0.8', 'en'],
      ['de;q=2', 'en'],
      ['<de>', 'en'],
      [undefined, 'en'],
    ];
    for (const [header, expected] of cases) {
      const res = await page(KNOWN_IDS.productAlt, header);
      expect(res.status, String(header)).toBe(200);
      expect(res.headers.get('content-language'), String(header)).toBe(expected);
    }
  });

  it("forwards only the negotiated language to the catalog, never the client's header", async () => {
    // A product each, so every request reaches the catalog (no route cache hit).
    const cases: [string, string, string][] = [
      ['p-00150', 'de-CH;q=0.9, xx-yy', 'de'],
      ['p-00077', 'fr-FR', 'fr'],
      ['p-00300', 'de;q=2', 'en'],
      ['p-00277', `${'x'.repeat(200)}, de`, 'en'],
    ];
    for (const [id, header, sent] of cases) {
      await stack.sandbox.admin.reset();
      expect((await page(id, header)).status).toBe(200);
      const stats = await stack.sandbox.admin.stats('catalog');
      expect(stats.byRoute['GET /products/:id'], header).toBe(1);
      expect(stats.lastHeaders['accept-language'], header).toBe(sent);
    }
  });

  it('keys the route cache on the negotiated language: a cached en page is never served to de', async () => {
    const id = KNOWN_IDS.productOutOfStock;
    const en = await page(id, 'en');
    expect(en.headers.get('x-cache')).toBe('MISS');
    const enName = (await en.json()).product.name;
    // Another spelling of "English" is the same entry.
    expect((await page(id, 'en-GB, fr;q=0.1')).headers.get('x-cache')).toBe('HIT');
    const de = await page(id, 'de');
    expect(de.headers.get('x-cache')).toBe('MISS');
    expect(de.headers.get('content-language')).toBe('de');
    const deName = (await de.json()).product.name;
    expect(deName).not.toBe(enName);
    const deAgain = await page(id, 'de-AT;q=0.9, en;q=0.1');
    expect(deAgain.headers.get('x-cache')).toBe('HIT');
    expect((await deAgain.json()).product.name).toBe(deName);
  });

  it('gives each language its own ETag, and a 304 only for the same language', async () => {
    const id = KNOWN_IDS.productNoReviews;
    const en = await page(id, 'en');
    const de = await page(id, 'de');
    const enTag = en.headers.get('etag')!;
    const deTag = de.headers.get('etag')!;
    expect(enTag).toMatch(/^"[^"]+"$/);
    expect(deTag).not.toBe(enTag);
    const same = await page(id, 'en', { 'if-none-match': enTag });
    expect(same.status).toBe(304);
    expect(same.headers.get('content-language')).toBe('en');
    const other = await page(id, 'de', { 'if-none-match': enTag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).toBe(deTag);
  });

  it('localizes the web home and listing (category names, product names)', async () => {
    const home = await fetch(`${webUrl}/api/v1/pages/home`, { headers: { 'accept-language': 'fr' } });
    expect(home.headers.get('content-language')).toBe('fr');
    const tree = (await home.json()).categories as { id: string; name: string }[];
    expect(tree.find((c) => c.id === KNOWN_IDS.category)?.name).toBe(ELECTRONICS.fr);
    const listing = await fetch(`${webUrl}/api/v1/pages/listing?q=schlafsack`, { headers: { 'accept-language': 'de' } });
    expect(listing.status).toBe(200);
    expect(listing.headers.get('content-language')).toBe('de');
    const items = (await listing.json()).items as { name: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.name.includes('Schlafsack'))).toBe(true);
  });

  it('localizes every mobile screen and the card, each language with its own ETag', async () => {
    const detail = await mobile(`/api/v1/products/${KNOWN_IDS.product}/detail`, 'de');
    expect(detail.headers.get('content-language')).toBe('de');
    expect(detail.headers.get('vary')).toMatch(/Accept-Language/);
    expect((await detail.json()).product.name).toBe(NAMES.de);
    const card = await mobile(`/api/v1/products/${KNOWN_IDS.product}`, 'fr-CA');
    expect(card.headers.get('content-language')).toBe('fr');
    expect((await card.json()).name).toBe(NAMES.fr);
    const home = await mobile('/api/v1/home', 'de');
    expect(home.headers.get('content-language')).toBe('de');
    const categories = (await home.json()).categories as { id: string; name: string }[];
    expect(categories.find((c) => c.id === KNOWN_IDS.category)?.name).toBe(ELECTRONICS.de);
    const listing = await mobile(`/api/v1/listing?category=${KNOWN_IDS.category}`, 'fr');
    expect(listing.headers.get('content-language')).toBe('fr');
    const cards = await fetch(`${stack.url}/api/v1/products/cards`, {
      method: 'POST',
      headers: { ...auth, 'accept-language': 'de', 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [KNOWN_IDS.product] }),
    });
    expect(cards.status).toBe(200);
    expect(cards.headers.get('content-language')).toBe('de');
    expect(cards.headers.get('vary')).toMatch(/Accept-Language/);
    expect((await cards.json()).items[0].name).toBe(NAMES.de);

    const enDetail = await mobile(`/api/v1/products/${KNOWN_IDS.product}/detail`, 'en');
    expect((await enDetail.json()).product.name).toBe(NAMES.en);
    const enTag = enDetail.headers.get('etag')!;
    expect((await mobile(`/api/v1/products/${KNOWN_IDS.product}/detail`, 'en', { 'if-none-match': enTag })).status).toBe(304);
    const de304 = await mobile(`/api/v1/products/${KNOWN_IDS.product}/detail`, 'de', { 'if-none-match': enTag });
    expect(de304.status).toBe(200);
    expect((await de304.json()).product.name).toBe(NAMES.de);
  });

  it('serves a remembered product (stale-if-error) only in the language it was fetched in', async () => {
    const id = 'p-00042';
    const en = await page(id, 'en');
    expect(en.status).toBe(200);
    const enName = (await en.json()).product.name;
    await stack.sandbox.admin.setFaults('catalog', [{ status: 503 }]);
    try {
      // The en route entry and the remembered en product are of no use to de: the catalog's failure is the answer.
      const de = await page(id, 'de');
      expect(de.status).toBe(503);
      expect(de.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      // en still gets its last good page.
      const enAgain = await page(id, 'en');
      expect(enAgain.status).toBe(200);
      expect((await enAgain.json()).product.name).toBe(enName);
    } finally {
      await stack.sandbox.admin.reset();
    }
  });
});
