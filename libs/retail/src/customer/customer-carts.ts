import { Injectable } from '@nestjs/common';

import { isPlatformError } from '@bff/core';
import type { DegradedSection } from '@bff/upstream';

import { MAX_CARDS, ProductCards, type ProductCard } from '../product-cards.js';
import { CartsApi } from '../retail.clients.js';

/** Most units of one product a cart line holds (the carts service's limit). */
export const MAX_LINE_QUANTITY = 99;

/** A cart's lines as the carts service holds them. */
export type CartLines = ReadonlyArray<{ readonly productId: string; readonly quantity: number }>;

export interface CartLinePrice {
  readonly currency: string;
  /** Current unit price, minor units. */
  readonly amount: number;
  readonly listAmount: number;
  readonly discountPct: number;
}

/** One cart line enriched with what a cart screen shows; unknown enrichments are null. */
export interface CartLine {
  readonly productId: string;
  readonly quantity: number;
  readonly name: string | null;
  readonly thumbnail: string | null;
  readonly unitPrice: CartLinePrice | null;
  readonly inStock: boolean | null;
  /** unitPrice.amount × quantity, minor units; null without a price. */
  readonly lineAmount: number | null;
}

export interface EstimatedSubtotal {
  readonly amount: number;
  readonly currency: string | null;
  /** Always true: the orders service fixes the price when the order is placed. */
  readonly estimate: true;
  readonly complete: boolean;
  readonly unpricedProductIds: string[];
  readonly label: string;
}

/** The signed-in customer's cart, enriched (price and stock degrade to null, listed in meta.degraded). */
export interface CustomerCart {
  readonly lines: CartLine[];
  readonly itemCount: number;
  readonly estimatedSubtotal: EstimatedSubtotal;
  readonly updatedAt: string | null;
  readonly meta: { degraded: DegradedSection[] };
}

/**
 * The signed-in customer's cart, shared by every storefront client: the carts service (called with the
 * caller's relayed token, on the caller's own cart `cart-<subject>`) with each line enriched by
 * ProductCards (one catalog lookup, one bulk price and one bulk stock read per 50 lines). Price and stock
 * degrade to null; the subtotal is then an incomplete estimate, never a failure. Apps shape the result.
 */
@Injectable()
export class CustomerCarts {
  constructor(
    private readonly carts: CartsApi,
    private readonly cards: ProductCards,
  ) {}

  async view(customerId: string): Promise<CustomerCart> {
    return this.shape(await this.read(customerId));
  }

  async add(customerId: string, productId: string, quantity: number): Promise<CustomerCart> {
    return this.shape(await this.carts.addItem(CartsApi.cartIdFor(customerId), { productId, quantity }));
  }

  async update(customerId: string, productId: string, quantity: number): Promise<CustomerCart> {
    return this.shape(await this.carts.updateItem(CartsApi.cartIdFor(customerId), productId, quantity));
  }

  /** Removing a line that is not there answers the cart unchanged (DELETE is idempotent). */
  async remove(customerId: string, productId: string): Promise<CustomerCart> {
    try {
      return await this.shape(await this.carts.removeItem(CartsApi.cartIdFor(customerId), productId));
    } catch (error) {
      // A customer who never used a cart has none upstream: there was nothing to remove.
      if (isPlatformError(error) && error.kind === 'not_found') return this.shape(undefined);
      throw error;
    }
  }

  /** The customer's cart lines; a customer who never used a cart has none upstream (read as empty). */
  async read(customerId: string): Promise<{ items: CartLines; updatedAt: string | null } | undefined> {
    try {
      return await this.carts.getCart(CartsApi.cartIdFor(customerId));
    } catch (error) {
      if (isPlatformError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  private async shape(cart: { items: CartLines; updatedAt: string | null } | undefined): Promise<CustomerCart> {
    const items = cart?.items ?? [];
    const ids = items.map((item) => item.productId);
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += MAX_CARDS) chunks.push(ids.slice(i, i + MAX_CARDS));
    const lists = await Promise.all(chunks.map((chunk) => this.cards.forIds(chunk, { section: 'cart' })));
    const cardById = new Map<string, ProductCard>(lists.flatMap((list) => list.cards.map((card) => [card.id, card] as const)));
    const degraded = new Map<string, DegradedSection>();
    for (const entry of lists.flatMap((list) => list.degraded)) degraded.set(entry.section, entry);

    const lines: CartLine[] = items.map(({ productId, quantity }) => {
      const card = cardById.get(productId);
      const price = card?.price ?? null;
      return {
        productId,
        quantity,
        name: card?.name ?? null,
        thumbnail: card?.thumbnail ?? null,
        unitPrice: price,
        inStock: card?.inStock ?? null,
        lineAmount: price === null ? null : price.amount * quantity,
      };
    });
    return {
      lines,
      itemCount: items.reduce((sum, item) => sum + item.quantity, 0),
      estimatedSubtotal: subtotalOf(lines),
      updatedAt: cart?.updatedAt ?? null,
      // Sorted: which enrichment failed first is timing, and the answer should not depend on it.
      meta: { degraded: [...degraded.values()].sort((a, b) => a.section.localeCompare(b.section)) },
    };
  }
}

/** Sum of the priced lines in the first priced line's currency; lines without a price (or in another currency) make it incomplete. */
function subtotalOf(lines: readonly CartLine[]): EstimatedSubtotal {
  const currency = lines.find((line) => line.unitPrice !== null)?.unitPrice?.currency ?? null;
  let amount = 0;
  const unpriced: string[] = [];
  for (const line of lines) {
    if (line.unitPrice === null || line.lineAmount === null || line.unitPrice.currency !== currency) unpriced.push(line.productId);
    else amount += line.lineAmount;
  }
  return {
    amount,
    currency,
    estimate: true,
    complete: unpriced.length === 0,
    unpricedProductIds: unpriced,
    label: unpriced.length === 0 ? 'Estimated subtotal' : 'Estimated subtotal (some prices unavailable)',
  };
}
