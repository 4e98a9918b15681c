import { describe, expect, it } from 'vitest';

import { byProductId, mapAvailability, mapPrice } from './retail.mappers.js';
import type { Price, Stock } from './retail.types.js';

const PRICE: Price = {
  productId: 'p-00001',
  currency: 'EUR',
  amount: 1999,
  listAmount: 2499,
  discountPct: 20,
  validUntil: '2030-01-01T00:00:00Z',
};
const STOCK: Stock = { productId: 'p-00001', available: 0, reserved: 3, inStock: false, warehouse: 'AMS-1', restockDate: '2030-01-15' };

describe('mapPrice', () => {
  it('keeps exactly the fields asked for, in their order', () => {
    const full = mapPrice(PRICE, ['currency', 'amount', 'listAmount', 'discountPct']);
    expect(full).toEqual({ currency: 'EUR', amount: 1999, listAmount: 2499, discountPct: 20 });
    expect(Object.keys(full!)).toEqual(['currency', 'amount', 'listAmount', 'discountPct']);
    expect(Object.keys(mapPrice(PRICE, ['amount', 'currency'])!)).toEqual(['amount', 'currency']);
  });

  it('is null without a price', () => {
    expect(mapPrice(null, ['amount'])).toBeNull();
    expect(mapPrice(undefined, ['amount'])).toBeNull();
  });
});

describe('mapAvailability', () => {
  it('keeps exactly the fields asked for, never the warehouse or reserved units', () => {
    const shaped = mapAvailability(STOCK, ['inStock', 'available', 'restockDate']);
    expect(shaped).toEqual({ inStock: false, available: 0, restockDate: '2030-01-15' });
    expect(Object.keys(mapAvailability(STOCK, ['inStock'])!)).toEqual(['inStock']);
  });

  it('is null when availability is unknown', () => {
    expect(mapAvailability(null, ['inStock'])).toBeNull();
    expect(mapAvailability(undefined, ['inStock'])).toBeNull();
  });
});

describe('byProductId', () => {
  it('indexes a bulk answer by product id; a failed section is an empty index', () => {
    const other: Price = { ...PRICE, productId: 'p-00002', amount: 500 };
    const index = byProductId([PRICE, other]);
    expect(index.get('p-00002')).toBe(other);
    expect(index.get('p-00001')).toBe(PRICE);
    expect(index.get('p-99999')).toBeUndefined();
    expect(byProductId(null).size).toBe(0);
  });
});
