import { describe, expect, it } from 'vitest';

import { apiKeyAuthEnv } from './api-key-auth.env.js';
import { apiKeyId, generateApiKey, hashApiKey } from './api-key.format.js';
import { parsePartnerKeys } from './partner-keys.js';

const hex = (c: string) => c.repeat(64);
const entry = (overrides: Record<string, unknown> = {}) => ({
  id: 'abcdefabcdef',
  partner: 'acme',
  scopes: ['catalog:read'],
  sha256: hex('a'),
  ...overrides,
});

describe('partner API key format', () => {
  it('generates 256-bit keys with a public id, stored only as their SHA-256', () => {
    const { key, id, sha256 } = generateApiKey();
    expect(key).toMatch(/^bffpk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyId(key)).toBe(id);
    expect(sha256).toBe(hashApiKey(key));
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(generateApiKey().key).not.toBe(key);
  });

  it('reads the id only from well-formed keys', () => {
    expect(apiKeyId('bffpk_abcdefabcdef_short')).toBeUndefined();
    expect(apiKeyId(`bffpk_ABCDEFABCDEF_${'x'.repeat(43)}`)).toBeUndefined();
    expect(apiKeyId(` bffpk_abcdefabcdef_${'x'.repeat(43)}`)).toBeUndefined();
  });
});

describe('PARTNER_API_KEYS', () => {
  it('parses entries: scopes de-duplicated, expiry and account optional', () => {
    const parsed = parsePartnerKeys(
      JSON.stringify([
        entry({ scopes: ['catalog:read', 'orders:read', 'catalog:read'], account: 'c-0001' }),
        entry({ id: 'bbbbbbbbbbbb', sha256: hex('b'), expires: '2999-01-01T00:00:00Z', account: 'c-0001' }),
      ]),
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.records).toEqual([
      {
        id: 'abcdefabcdef',
        partnerId: 'acme',
        scopes: ['catalog:read', 'orders:read'],
        sha256: hex('a'),
        expiresAt: undefined,
        account: 'c-0001',
      },
      {
        id: 'bbbbbbbbbbbb',
        partnerId: 'acme',
        scopes: ['catalog:read'],
        sha256: hex('b'),
        expiresAt: Date.parse('2999-01-01T00:00:00Z'),
        account: 'c-0001',
      },
    ]);
    expect(parsePartnerKeys('')).toEqual({ records: [], problems: [] });
  });

  it('reads an optional per-key daily quota (a whole number of requests per UTC day)', () => {
    const parsed = parsePartnerKeys(JSON.stringify([entry({ dailyQuota: 10_000 })]));
    expect(parsed.problems).toEqual([]);
    expect(parsed.records[0]?.dailyQuota).toBe(10_000);
    for (const dailyQuota of [0, 1.5, '100', 2_000_000_000]) {
      expect(parsePartnerKeys(JSON.stringify([entry({ dailyQuota })])).problems).toEqual([
        'PARTNER_API_KEYS[0].dailyQuota must be an integer between 1 and 1000000000 (requests per UTC day)',
      ]);
    }
  });

  it('reports every problem, naming the entry and never echoing values', () => {
    const secret = `bffpk_abcdefabcdef_${'s'.repeat(43)}`;
    const { problems } = parsePartnerKeys(
      JSON.stringify([
        entry({ sha256: secret }),
        entry({ id: 'UPPER', partner: '-x', scopes: [], expires: 'tomorrow', account: 'no spaces', scope: 'typo' }),
        42,
      ]),
    );
    expect(problems).toEqual([
      "PARTNER_API_KEYS[0].sha256 must be the key's SHA-256 as 64 lowercase hex characters",
      "PARTNER_API_KEYS[1] has an unknown field 'scope'",
      'PARTNER_API_KEYS[1].id must be 12 characters a-z0-9',
      'PARTNER_API_KEYS[1].partner must be 1-64 characters a-z0-9 . _ - (starting with a letter or digit)',
      'PARTNER_API_KEYS[1].scopes must be a non-empty array of scopes like "catalog:read"',
      'PARTNER_API_KEYS[1].expires must be an ISO-8601 date-time, e.g. 2026-12-31T00:00:00Z',
      'PARTNER_API_KEYS[1].account must be a customer id (1-64 characters A-Z a-z 0-9 _ -)',
      'PARTNER_API_KEYS[2] must be an object',
    ]);
    expect(problems.join('\n')).not.toContain(secret);
    expect(parsePartnerKeys('{"id":1}').problems).toEqual(['PARTNER_API_KEYS must be a JSON array of key entries (see docs/auth.md)']);
    expect(parsePartnerKeys('not json').problems).toHaveLength(1);
  });

  it('allows two active keys per partner (rotation), not three; duplicates and split accounts are refused', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const three = [entry(), entry({ id: 'bbbbbbbbbbbb', sha256: hex('b') }), entry({ id: 'cccccccccccc', sha256: hex('c') })];
    expect(parsePartnerKeys(JSON.stringify(three), now).problems).toEqual([
      'PARTNER_API_KEYS: partner acme has 3 active keys; at most 2 (current + successor during a rotation). Give the old key an expiry or remove it',
    ]);
    // An expired third key is fine: it is kept for the record and refused at runtime.
    three[0] = entry({ expires: '2026-05-01T00:00:00Z' });
    expect(parsePartnerKeys(JSON.stringify(three), now).problems).toEqual([]);
    expect(parsePartnerKeys(JSON.stringify([entry(), entry({ sha256: hex('b') })]), now).problems).toEqual([
      'PARTNER_API_KEYS: key id abcdefabcdef is listed twice',
    ]);
    expect(parsePartnerKeys(JSON.stringify([entry(), entry({ id: 'bbbbbbbbbbbb' })]), now).problems).toEqual([
      'PARTNER_API_KEYS: key bbbbbbbbbbbb has the same sha256 as another entry',
    ]);
    expect(
      parsePartnerKeys(JSON.stringify([entry({ account: 'c-1' }), entry({ id: 'bbbbbbbbbbbb', sha256: hex('b'), account: 'c-2' })]), now)
        .problems,
    ).toEqual(['PARTNER_API_KEYS: the keys of partner acme name different accounts; a partner has one account']);
  });

  it('is validated at boot through the env schema, listing the problems', () => {
    expect(apiKeyAuthEnv.parse({ PARTNER_API_KEYS: JSON.stringify([entry()]) }).problems).toEqual([]);
    expect(apiKeyAuthEnv.parse({}).value?.PARTNER_API_KEYS.records).toEqual([]);
    const { problems } = apiKeyAuthEnv.parse({ PARTNER_API_KEYS: JSON.stringify([entry({ id: 'x' })]), PARTNER_KEY_CACHE_MS: '-1' });
    expect(problems).toEqual([
      'PARTNER_API_KEYS[0].id must be 12 characters a-z0-9',
      'PARTNER_KEY_CACHE_MS must be an integer between 0 and 60000',
    ]);
  });
});
