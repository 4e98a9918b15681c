import { describe, expect, it } from 'vitest';

import { negotiateLanguage, parseAcceptLanguage } from './language.js';

const SUPPORTED = ['en', 'de', 'fr'];

describe('negotiateLanguage', () => {
  it('picks the best supported language by q-value, regional ranges matching their primary language', () => {
    expect(negotiateLanguage('de', SUPPORTED)).toBe('de');
    expect(negotiateLanguage('de-CH, fr;q=0.8', SUPPORTED)).toBe('de');
    expect(negotiateLanguage('en;q=0.5, fr;q=0.9, de;q=0.1', SUPPORTED)).toBe('fr');
    expect(negotiateLanguage('nl, fr-BE;q=0.4', SUPPORTED)).toBe('fr');
    expect(negotiateLanguage('FR', SUPPORTED)).toBe('fr');
  });

  it('keeps the client order among equal weights', () => {
    expect(negotiateLanguage('fr;q=0.5, de;q=0.5', SUPPORTED)).toBe('fr');
  });

  it('answers the default for nothing supported, a missing header and *', () => {
    expect(negotiateLanguage('nl, es;q=0.9', SUPPORTED)).toBe('en');
    expect(negotiateLanguage(undefined, SUPPORTED)).toBe('en');
    expect(negotiateLanguage('*', SUPPORTED)).toBe('en');
  });

  it('honours q=0 exclusions, also for *', () => {
    expect(negotiateLanguage('*, en;q=0', SUPPORTED)).toBe('de');
    expect(negotiateLanguage('de;q=0, fr;q=0.2', SUPPORTED)).toBe('fr');
  });

  it('ignores a malformed header as a whole', () => {
    for (const junk of ['de;q=2', 'de;q=0.1234', 'x-t1; foo', '<script>', 'de,,fr', 'de;q=0.5;q=0.4', 'd'.repeat(300), '12-de']) {
      expect(negotiateLanguage(junk, SUPPORTED)).toBe('en');
    }
  });
});

describe('parseAcceptLanguage', () => {
  it('returns ranges best first with their weights', () => {
    expect(parseAcceptLanguage('fr;q=0.5, de-DE, en;q=0.8')).toEqual([
      { range: 'de-de', q: 1 },
      { range: 'en', q: 0.8 },
      { range: 'fr', q: 0.5 },
    ]);
    expect(parseAcceptLanguage('de;q=1.000')).toEqual([{ range: 'de', q: 1 }]);
  });
});
