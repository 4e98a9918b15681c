import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { negotiateLanguage } from '../src/http/language.ts';
import { KNOWN_IDS, type Category, type Product, type Sandbox } from '../src/index.ts';
import { CATALOG_LANGUAGES } from '../src/seed/words.ts';
import { start } from './support.ts';

describe('negotiateLanguage', () => {
  it('follows q-values and matches regional ranges to their language', () => {
    expect(negotiateLanguage('de', CATALOG_LANGUAGES)).toBe('de');
    expect(negotiateLanguage('fr-CA, de;q=0.9', CATALOG_LANGUAGES)).toBe('fr');
    expect(negotiateLanguage('en;q=0.2, de;q=0.7, fr;q=0.5', CATALOG_LANGUAGES)).toBe('de');
    expect(negotiateLanguage('nl, fr;q=0.1', CATALOG_LANGUAGES)).toBe('fr');
    expect(negotiateLanguage('*;q=0.5, en;q=0', CATALOG_LANGUAGES)).toBe('de');
  });

  it('answers the default for unsupported, missing and malformed headers', () => {
    for (const header of [undefined, 'nl', 'es-ES, it;q=0.5', 'de;q=5', 'de;;', '??', 'de;q=0']) {
      expect(negotiateLanguage(header, CATALOG_LANGUAGES)).toBe('en');
    }
  });
});

describe('catalog languages', () => {
  let sandbox: Sandbox<'catalog'>;
  beforeAll(async () => {
    sandbox = await start({ services: ['catalog'] });
  });
  afterAll(() => sandbox.close());
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${sandbox.urls.catalog}${path}`, { headers });

  it('serves product names, descriptions and category names in en, de and fr', async () => {
    const texts: Record<string, Product> = {};
    for (const language of ['en', 'de', 'fr']) {
      const res = await get(`/products/${KNOWN_IDS.product}`, { 'accept-language': language });
      expect(res.headers.get('content-language')).toBe(language);
      expect(res.headers.get('vary')).toBe('Accept-Language');
      texts[language] = (await res.json()) as Product;
    }
    expect(texts.en.name).toBe('Tundra Ultra Sleeping Bag G800');
    expect(texts.de.name).toBe('Tundra Ultra Schlafsack G800');
    expect(texts.fr.name).toBe('Tundra Sac de couchage Ultra G800');
    expect(texts.de.description).toMatch(/^Tundra Ultra Schlafsack G800 von Tundra\. /);
    expect(texts.fr.description).toMatch(/ par Tundra\. /);
    // Only the texts change.
    expect({ ...texts.de, name: '', description: '', images: [] }).toEqual({ ...texts.en, name: '', description: '', images: [] });
    const categories = async (language: string) =>
      ((await (await get('/categories', { 'accept-language': language })).json()) as { items: Category[] }).items;
    expect((await categories('de')).find((c) => c.id === KNOWN_IDS.category)?.name).toBe('Elektronik');
    expect((await categories('fr-FR')).find((c) => c.id === KNOWN_IDS.category)?.name).toBe('Électronique');
    expect((await categories('nl')).find((c) => c.id === KNOWN_IDS.category)?.name).toBe('Electronics');
  });

  it('searches in the requested language and gives each language its own ETag', async () => {
    const de = await get('/products?q=schlafsack&limit=5', { 'accept-language': 'de' });
    const page = (await de.json()) as { items: Product[]; total: number };
    expect(page.total).toBeGreaterThan(0);
    expect(page.items.every((p) => p.name.includes('Schlafsack'))).toBe(true);
    const en = await get(`/products/${KNOWN_IDS.product}`, { 'accept-language': 'en' });
    const etag = en.headers.get('etag')!;
    expect((await get(`/products/${KNOWN_IDS.product}`, { 'accept-language': 'en', 'if-none-match': etag })).status).toBe(304);
    const other = await get(`/products/${KNOWN_IDS.product}`, { 'accept-language': 'de', 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).not.toBe(etag);
  });
});
