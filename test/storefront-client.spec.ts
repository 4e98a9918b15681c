import { describe, expect, it } from 'vitest';

import { IdempotentAttempt, isRetryableStatus, type KeyStorage } from '../frontends/storefront/src/api/idempotency.ts';

// The storefront's API client is @bff-clients/web-bff (clients/): test/clients-runtime.spec.ts covers it.

class MemoryStorage implements KeyStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('storefront client: checkout idempotency keys', () => {
  const counter = (): (() => string) => {
    let n = 0;
    return () => `key-${++n}`;
  };

  it('reuses the key of an unsettled attempt for the same cart and makes a new one once settled', () => {
    const attempt = new IdempotentAttempt('checkout', undefined, counter());
    expect(attempt.keyFor('p-1x2')).toBe('key-1');
    expect(attempt.keyFor('p-1x2')).toBe('key-1');
    attempt.settle();
    expect(attempt.keyFor('p-1x2')).toBe('key-2');
  });

  it('makes a new key when the cart changed', () => {
    const attempt = new IdempotentAttempt('checkout', undefined, counter());
    expect(attempt.keyFor('p-1x2')).toBe('key-1');
    expect(attempt.keyFor('p-1x3')).toBe('key-2');
  });

  it('keeps the key after an unknown outcome (timeout, 5xx, network) and drops it after a final answer', () => {
    const attempt = new IdempotentAttempt('checkout', undefined, counter());
    const key = attempt.keyFor('cart');
    for (const status of [0, 408, 429, 500, 503, 504]) {
      attempt.settleUnlessRetryable(status);
      expect(attempt.keyFor('cart')).toBe(key);
    }
    attempt.settleUnlessRetryable(422);
    expect(attempt.keyFor('cart')).not.toBe(key);
    expect(isRetryableStatus(400)).toBe(false);
    expect(isRetryableStatus(201)).toBe(false);
  });

  it('survives a reload through its storage, and ignores a corrupt stored value', () => {
    const storage = new MemoryStorage();
    const first = new IdempotentAttempt('checkout', storage, counter());
    const key = first.keyFor('cart');
    const afterReload = new IdempotentAttempt('checkout', storage, () => 'other');
    expect(afterReload.keyFor('cart')).toBe(key);
    afterReload.settle();
    expect(storage.items.size).toBe(0);

    storage.setItem('checkout', '{not json');
    const corrupt = new IdempotentAttempt('checkout', storage, () => 'fresh');
    expect(storage.items.has('checkout')).toBe(false);
    expect(corrupt.keyFor('cart')).toBe('fresh');
  });

  it('uses random UUIDs by default', () => {
    const a = new IdempotentAttempt('checkout').keyFor('cart');
    const b = new IdempotentAttempt('checkout').keyFor('cart');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});
