import { Injectable } from '@nestjs/common';

import { PlatformError } from '@bff/core';

import { OrdersApi } from '../retail.clients.js';
import type { Order } from '../retail.types.js';

/** `<creation time, epoch ms>.<order id>` of the last order of the previous page. */
export const ORDER_CURSOR_PATTERN = /^\d{1,15}\.[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface OrderPage {
  /** Newest first. */
  readonly items: Order[];
  /** The position of the page's last order when older ones follow, else null. */
  readonly nextCursor: string | null;
}

/** Position in the newest-first list: the last order of a page (the orders service sorts by createdAt desc, then id). */
interface CursorPosition {
  /** createdAt in epoch milliseconds. */
  readonly at: number;
  readonly id: string;
}

/**
 * The signed-in customer's orders (orders service, called with the caller's relayed token), for any
 * storefront client. The service answers a customer's whole history; pages are cut here with a cursor
 * naming the position of the last order shown (`<createdAt epoch ms>.<id>`), so a page never repeats or
 * skips an order when new ones are placed meanwhile. Any well-formed cursor (ORDER_CURSOR_PATTERN, checked
 * by the app's DTO) is a position, so it needs no decoding step that could fail.
 */
@Injectable()
export class OrderHistory {
  constructor(private readonly orders: OrdersApi) {}

  async list(customerId: string, cursor: string | undefined, limit: number): Promise<OrderPage> {
    const after = cursor === undefined ? undefined : positionOf(cursor);
    const all = (await this.orders.listOrders({ customerId })).filter((order) => order.customerId === customerId);
    const rest = after === undefined ? all : all.filter((order) => isAfter(order, after));
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return { items: page, nextCursor: rest.length > limit && last ? encodeCursor(last) : null };
  }

  /** Another customer's order is answered like a missing one (404), revealing nothing. */
  async get(customerId: string, id: string): Promise<Order> {
    const order = await this.orders.getOrder(id);
    if (order.customerId !== customerId) {
      throw new PlatformError('not_found', 'NOT_FOUND', `order ${id} belongs to another customer`, {
        publicDetail: 'The requested resource does not exist.',
      });
    }
    return order;
  }
}

function isAfter(order: Order, position: CursorPosition): boolean {
  const at = Date.parse(order.createdAt);
  return at < position.at || (at === position.at && order.id > position.id);
}

function encodeCursor(order: Order): string {
  return `${Date.parse(order.createdAt)}.${order.id}`;
}

/** The position a cursor names (its format is checked by ORDER_CURSOR_PATTERN). */
function positionOf(cursor: string): CursorPosition {
  const dot = cursor.indexOf('.');
  return { at: Number(cursor.slice(0, dot)), id: cursor.slice(dot + 1) };
}
