import { describe, expect, it } from 'vitest';

import { RequestContext, type RequestContextData } from '@bff/core';

import type { SectionFallbackStore } from './aggregation.types.js';
import { Aggregator } from './aggregator.js';

function requestContext(): RequestContextData {
  return { requestId: 'r-1', startedAt: 0, propagated: {}, inboundHeaders: {}, slots: new Map(), responseHeaders: {} };
}

/** Remembers every section's last good value in memory. */
class MemoryFallback implements SectionFallbackStore {
  readonly values = new Map<string, unknown>();
  remember(key: string, value: unknown): void {
    this.values.set(key, value);
  }
  recall(key: string): Promise<{ value: unknown; storedAt: number } | undefined> {
    return Promise.resolve(this.values.has(key) ? { value: this.values.get(key), storedAt: 0 } : undefined);
  }
}

describe('AggregationPlan.run', () => {
  it('returns the degraded and stale sections and leaves the response alone', async () => {
    const fallback = new MemoryFallback();
    fallback.remember('product:p-1', { id: 'p-1' });
    const context = requestContext();
    const result = await RequestContext.run(context, () =>
      new Aggregator(fallback)
        .plan()
        .required('product', () => Promise.reject(new Error('catalog down')), { fallbackKey: 'product:p-1' })
        .optional('price', () => Promise.reject(new Error('pricing down')))
        .optional('stock', () => Promise.resolve({ inStock: true }))
        .run(),
    );
    expect(result.data).toEqual({ product: { id: 'p-1' }, price: null, stock: { inStock: true } });
    expect(result.degraded).toEqual([{ section: 'price', reason: 'error' }]);
    expect(result.stale).toEqual([{ section: 'product', reason: 'error' }]);
    expect(context.responseHeaders).toEqual({});
  });
});
