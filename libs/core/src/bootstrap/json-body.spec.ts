import { describe, expect, it } from 'vitest';

import { jsonLimitBreached } from './json-body.js';

const limits = { maxDepth: 3, maxKeys: 4 };

describe('jsonLimitBreached', () => {
  it('accepts scalars, and containers within both limits', () => {
    expect(jsonLimitBreached(42, limits)).toBeUndefined();
    expect(jsonLimitBreached('text', limits)).toBeUndefined();
    expect(jsonLimitBreached(null, limits)).toBeUndefined();
    expect(jsonLimitBreached({ a: [1, { b: 2 }], c: 3 }, limits)).toBeUndefined();
    expect(jsonLimitBreached([[[1, 2, 3]]], limits)).toBeUndefined();
  });

  it('counts the body itself as level 1, and objects and arrays alike', () => {
    expect(jsonLimitBreached([[[[]]]], limits)).toBe('depth');
    expect(jsonLimitBreached({ a: { b: { c: {} } } }, limits)).toBe('depth');
    expect(jsonLimitBreached({ a: [{ b: 1 }] }, limits)).toBeUndefined();
  });

  it('counts keys over the whole body, nested objects and objects inside arrays included', () => {
    expect(jsonLimitBreached({ a: 1, b: 2, c: 3, d: 4 }, limits)).toBeUndefined();
    expect(jsonLimitBreached({ a: 1, b: 2, c: 3, d: 4, e: 5 }, limits)).toBe('keys');
    expect(jsonLimitBreached({ a: { b: 1 }, c: [{ d: 1 }, { e: 1 }] }, limits)).toBe('keys');
  });

  it('walks a nesting far beyond the call stack without overflowing', () => {
    let deep: unknown = [];
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(jsonLimitBreached(deep, { maxDepth: 32, maxKeys: 1_000 })).toBe('depth');
    expect(jsonLimitBreached(deep, { maxDepth: 60_000, maxKeys: 1_000 })).toBeUndefined();
  });
});
