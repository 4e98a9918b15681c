import { Injectable, Logger } from '@nestjs/common';

import { CacheService, routeCacheKey } from '@bff/cache';
import type { Identity } from '@bff/core';
import type { CustomerCart, Order } from '@bff/retail';

import { MOBILE_BFF } from '../mobile-bff.definition.js';
import type { MobileCartDto } from './mobile-cart.dto.js';
import type { MobileOrderDto, MobileOrderSummaryDto } from './mobile-orders.dto.js';

export const CART_ROUTE = '/api/v1/cart';
export const ORDERS_ROUTE = '/api/v1/orders';

/** The shared cart (CustomerCarts) in the cart screen's compact shape. */
export function toMobileCart(cart: CustomerCart): MobileCartDto {
  return {
    lines: cart.lines.map((line) => ({
      productId: line.productId,
      name: line.name,
      thumbnail: line.thumbnail,
      quantity: line.quantity,
      price: line.unitPrice && { amount: line.unitPrice.amount, currency: line.unitPrice.currency },
      inStock: line.inStock,
      lineAmount: line.lineAmount,
    })),
    itemCount: cart.itemCount,
    subtotal: {
      amount: cart.estimatedSubtotal.amount,
      currency: cart.estimatedSubtotal.currency,
      complete: cart.estimatedSubtotal.complete,
    },
    meta: { degraded: cart.meta.degraded },
  };
}

export function toMobileOrderSummary(order: Order): MobileOrderSummaryDto {
  return {
    id: order.id,
    status: order.status,
    totalAmount: order.totalAmount,
    currency: order.currency,
    itemCount: order.items.reduce((sum, item) => sum + item.quantity, 0),
    createdAt: order.createdAt,
  };
}

export function toMobileOrder(order: Order): MobileOrderDto {
  return {
    ...toMobileOrderSummary(order),
    lines: order.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitAmount: item.unitAmount,
      lineAmount: item.unitAmount * item.quantity,
    })),
  };
}

/**
 * Forgets the caller's cached cart (and first order page) after this app changed them, so the next GET
 * answers the change at once rather than after the entry's TTL. The keys are the route cache's own
 * (routeCacheKey with the `user:<strategy>:<subject>` principal of `scope: 'user'` routes). Changes made
 * elsewhere (web-bff, another instance without Redis) show within the routes' short TTLs.
 */
@Injectable()
export class MobileAccountCache {
  private readonly logger = new Logger('MobileAccountCache');

  constructor(private readonly cache: CacheService) {}

  forgetCart(user: Identity): Promise<void> {
    return this.forget(user, [CART_ROUTE]);
  }

  forgetCartAndOrders(user: Identity): Promise<void> {
    return this.forget(user, [CART_ROUTE, ORDERS_ROUTE]);
  }

  private async forget(user: Identity, routes: readonly string[]): Promise<void> {
    const principal = `user:${user.strategy}:${user.subject}`;
    const keys = routes.map((route) => routeCacheKey({ namespace: MOBILE_BFF.name, route, params: {}, query: [], vary: [], principal }));
    try {
      await this.cache.invalidateKeys(keys);
    } catch (error) {
      // The write happened; a stale entry lives at most its short TTL.
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not forget cached cart/orders');
    }
  }
}
