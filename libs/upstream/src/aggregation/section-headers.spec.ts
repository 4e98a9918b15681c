import { describe, expect, it } from 'vitest';

import { sectionHeaders } from './section-headers.js';

describe('sectionHeaders', () => {
  it('lists degraded and stale sections by name, in order', () => {
    expect(
      sectionHeaders({
        degraded: [
          { section: 'price', reason: 'not_found' },
          { section: 'recommendations', reason: 'timeout' },
        ],
        stale: [{ section: 'product', reason: 'upstream_error' }],
      }),
    ).toEqual({ 'x-degraded-sections': 'price,recommendations', 'x-stale-sections': 'product' });
  });

  it('gives no header for a response served whole and fresh', () => {
    expect(sectionHeaders({ degraded: [] })).toEqual({});
    expect(sectionHeaders({ degraded: [], stale: [] })).toEqual({});
  });
});
