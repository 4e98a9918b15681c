import { describe, expect, it } from 'vitest';

import { RETAIL_UPSTREAMS } from './retail.upstreams.js';

describe('RETAIL_UPSTREAMS', () => {
  it('declares carts and orders as relay upstreams with their own timeouts', () => {
    for (const service of ['customers', 'carts', 'orders'] as const) {
      expect(RETAIL_UPSTREAMS[service]).toMatchObject({ name: service, auth: 'relay' });
      expect(RETAIL_UPSTREAMS[service].timeoutMs).toBeGreaterThan(0);
    }
    expect(RETAIL_UPSTREAMS.carts.timeoutMs).toBeLessThanOrEqual(RETAIL_UPSTREAMS.orders.timeoutMs);
  });
});
