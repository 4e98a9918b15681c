import { describe, expect, it, vi } from 'vitest';

import { PlatformError, type CoreEnv } from '@bff/core';

import { parseIdempotencyKey } from './idempotency-key.js';
import type { IdempotencyEnv } from './idempotency.env.js';
import { IdempotencyStore } from './idempotency.store.js';

describe('parseIdempotencyKey', () => {
  it('accepts 8-128 letters, digits and . _ : - (a UUID fits)', () => {
    for (const key of ['0b7e5f1c-9a2d-4c3e-8f6a-1d2e3f4a5b6c', 'abcdefgh', 'a.b_c:d-e', 'x'.repeat(128)]) {
      expect(parseIdempotencyKey(key)).toBe(key);
    }
  });

  it('refuses a missing or blank key (IDEMPOTENCY_KEY_MISSING) and a malformed or repeated one (IDEMPOTENCY_KEY_INVALID), naming the header', () => {
    const codeOf = (raw: string | readonly string[] | undefined): unknown => {
      try {
        parseIdempotencyKey(raw);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(PlatformError);
        const problem = error as PlatformError;
        expect(problem.kind).toBe('bad_request');
        expect(problem.extensions?.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', in: 'header' })]);
        return problem.code;
      }
    };
    expect(codeOf(undefined)).toBe('IDEMPOTENCY_KEY_MISSING');
    expect(codeOf('   ')).toBe('IDEMPOTENCY_KEY_MISSING');
    for (const raw of ['short', 'has spaces in it', 'x'.repeat(129), 'ünïcödé-key', ['abcdefgh', 'abcdefgh']]) {
      expect(codeOf(raw)).toBe('IDEMPOTENCY_KEY_INVALID');
    }
  });
});

describe('IdempotencyStore without Redis (one instance, in memory)', () => {
  const store = (): IdempotencyStore =>
    new IdempotencyStore({ REDIS_MODE: 'standalone', REDIS_URL: undefined } as unknown as CoreEnv, {
      IDEMPOTENCY_REDIS_PREFIX: 'test:',
    } satisfies IdempotencyEnv);

  it('remembers a value per namespace and key until its TTL', async () => {
    vi.useFakeTimers();
    try {
      const keys = store();
      await keys.remember('customer-a', 'key-1', { orderId: 'o-1' }, 1_000);
      expect(await keys.get('customer-a', 'key-1')).toEqual({ orderId: 'o-1' });
      expect(await keys.get('customer-b', 'key-1')).toBeUndefined();
      vi.advanceTimersByTime(1_001);
      expect(await keys.get('customer-a', 'key-1')).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
