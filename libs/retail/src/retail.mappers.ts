import type { Price, Stock } from './retail.types.js';

/** What a client may be shown of a price: never the pricing service's `productId` or `validUntil`. */
export type PriceFields = Pick<Price, 'currency' | 'amount' | 'listAmount' | 'discountPct'>;

/** What a client may be shown of a stock level: never the warehouse or the reserved units. */
export type AvailabilityFields = Pick<Stock, 'inStock' | 'available' | 'restockDate'>;

/**
 * A price as a response carries it: the fields a client asks for, in that order (each app keeps its
 * own payload). Null when there is no price: its section failed, or a bulk answer left the product out.
 */
export function mapPrice<const F extends keyof PriceFields>(
  price: Price | null | undefined,
  fields: readonly F[],
): Pick<PriceFields, F> | null {
  return price ? pick(price, fields) : null;
}

/** A stock level as a response carries it (see mapPrice); null when availability is unknown. */
export function mapAvailability<const F extends keyof AvailabilityFields>(
  stock: Stock | null | undefined,
  fields: readonly F[],
): Pick<AvailabilityFields, F> | null {
  return stock ? pick(stock, fields) : null;
}

/** A bulk answer (`getPrices`, `getStocks`) by product id; a failed section (null) is an empty map. */
export function byProductId<T extends { readonly productId: string }>(items: readonly T[] | null): ReadonlyMap<string, T> {
  return new Map((items ?? []).map((item) => [item.productId, item]));
}

function pick<T, F extends keyof T>(source: T, fields: readonly F[]): Pick<T, F> {
  const picked = {} as Pick<T, F>;
  for (const field of fields) picked[field] = source[field];
  return picked;
}
