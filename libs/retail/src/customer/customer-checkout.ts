import { createHash } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';

import { isPlatformError, PlatformError } from '@bff/core';
import { IdempotencyStore, isUpstreamError } from '@bff/upstream';

import { CartsApi, OrderRejectedError, OrdersApi } from '../retail.clients.js';
import type { Order } from '../retail.types.js';
import { CustomerCarts, type CartLines } from './customer-carts.js';

/** How long a checkout's Idempotency-Key is remembered (as long as the orders service remembers it). */
export const CHECKOUT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** What a key placed: the order, and the fingerprint of the cart lines it ordered. */
interface CheckoutRecord {
  readonly orderId: string;
  readonly fingerprint: string;
}

export interface CheckoutResult {
  readonly order: Order;
  /** True when the key had already placed this order (nothing new was placed). */
  readonly replayed: boolean;
}

/** Upstream failures after which the order may exist: the answer, not the order, may be what was lost. */
const OUTCOME_UNKNOWN = new Set(['timeout', 'deadline_exceeded', 'connection_reset', 'aborted', 'malformed_body', 'body_too_large']);

/**
 * Places an order from the signed-in customer's cart, exactly once per Idempotency-Key, for any
 * storefront client (`client` names the key space: a web key never answers a mobile checkout):
 *
 * 1. A key this customer already used answers its order again (a replay), as long as the cart is empty
 *    (the checkout cleared it) or still holds the same lines; another cart is a 422 IDEMPOTENCY_KEY_REUSED.
 * 2. Otherwise the cart's lines are ordered (an empty cart is a 422 CART_EMPTY). The key travels to the
 *    orders service, which de-duplicates it too, so the placement is retried only because it carries it.
 * 3. The key is remembered (IdempotencyStore: Redis when configured, so any instance answers the replay),
 *    then the cart is emptied only if it still holds exactly what was ordered (compare-and-clear). A failed
 *    placement never touches the cart; a failed clear leaves the lines in the cart and the order placed.
 *
 * Apps provide it next to IdempotencyStore (both need the app's Redis configuration).
 */
@Injectable()
export class CustomerCheckout {
  private readonly logger = new Logger(CustomerCheckout.name);

  constructor(
    private readonly cart: CustomerCarts,
    private readonly carts: CartsApi,
    private readonly orders: OrdersApi,
    private readonly keys: IdempotencyStore,
  ) {}

  async checkout(client: string, customerId: string, key: string): Promise<CheckoutResult> {
    const namespace = `${client}-checkout:${customerId}`;
    const [previous, cart] = await Promise.all([this.keys.get<CheckoutRecord>(namespace, key), this.cart.read(customerId)]);
    const lines: CartLines = cart?.items ?? [];
    const fingerprint = fingerprintOf(lines);

    if (previous !== undefined) {
      if (lines.length > 0 && fingerprint !== previous.fingerprint) throw keyReused();
      const order = await this.orderOf(previous.orderId);
      if (order !== undefined) {
        // Still the ordered lines: the first attempt's clear did not happen; finish it.
        if (lines.length > 0) await this.clear(customerId, lines);
        return { order, replayed: true };
      }
      // The orders service no longer knows the remembered order: the key places the cart again (the orders
      // service keeps its own record of the key, so it never places twice what it still knows).
    }

    if (lines.length === 0) {
      throw new PlatformError('unprocessable', 'CART_EMPTY', 'checkout of an empty cart', {
        publicDetail: 'The cart is empty: add products before checking out.',
      });
    }

    const items = lines.map(({ productId, quantity }) => ({ productId, quantity }));
    let placed;
    try {
      placed = await this.orders.placeOrder({ customerId, items }, { idempotencyKey: `${client}:${customerId}:${key}` });
    } catch (error) {
      throw placementError(error);
    }
    await this.keys.remember(namespace, key, { orderId: placed.order.id, fingerprint } satisfies CheckoutRecord, CHECKOUT_KEY_TTL_MS);
    await this.clear(customerId, lines);
    return { order: placed.order, replayed: placed.replayed };
  }

  private async orderOf(orderId: string): Promise<Order | undefined> {
    try {
      return await this.orders.getOrder(orderId);
    } catch (error) {
      if (isPlatformError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  /** Empties the cart if it still holds exactly `lines`; the order exists already, so a failure here is only logged. */
  private async clear(customerId: string, lines: CartLines): Promise<void> {
    try {
      await this.carts.clearIfUnchanged(CartsApi.cartIdFor(customerId), lines);
    } catch (error) {
      const changed = isPlatformError(error) && error.code === 'CART_CHANGED';
      this.logger.warn(
        { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
        changed ? 'cart changed after checkout; left as it is' : 'cart not cleared after checkout',
      );
    }
  }
}

/** The ordered lines in a canonical form (order-insensitive), hashed: what "the same cart" means for a key. */
function fingerprintOf(lines: CartLines): string {
  const canonical = [...lines].sort((a, b) => a.productId.localeCompare(b.productId)).map((line) => [line.productId, line.quantity]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

function keyReused(cause?: unknown): PlatformError {
  return new PlatformError('unprocessable', 'IDEMPOTENCY_KEY_REUSED', 'checkout key reused with another cart', {
    publicDetail: 'This Idempotency-Key already placed an order for other cart contents. Use a new key for a new order.',
    cause,
  });
}

/** A refused or failed placement in the client API's words (the upstream's document stays internal). */
function placementError(error: unknown): unknown {
  if (error instanceof OrderRejectedError) {
    if (error.reason === 'idempotency_key_reused') return keyReused(error);
    if (error.productId !== undefined) {
      return new PlatformError(error.kind, error.code, error.message, {
        publicDetail: error.publicDetail,
        cause: error,
        context: error.context,
        extensions: { productId: error.productId },
      });
    }
    return error;
  }
  if (isUpstreamError(error) && OUTCOME_UNKNOWN.has(error.failure)) {
    return error.remap(
      error.kind,
      error.code,
      'The order service did not confirm the order in time; it may have been placed. Repeat the checkout with the same Idempotency-Key to get its outcome: it is never placed twice.',
    );
  }
  return error;
}
