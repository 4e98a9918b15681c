import { Injectable } from '@nestjs/common';

import { PlatformError } from '@bff/core';
import { OrdersApi, type Order } from '@bff/retail';

import { DEFAULT_ORDER_PAGE, type OrderDto, type OrderListDto } from './orders.dto.js';

/** Position in the newest-first list: the last order of a page (the orders service sorts by createdAt desc, then id). */
interface CursorPosition {
  readonly createdAt: string;
  readonly id: string;
}

/**
 * The signed-in customer's orders (orders service, called with the session's token). The service
 * answers a customer's whole history; pages are cut here with an opaque cursor naming the last
 * order shown, so a page never repeats or skips an order when new ones are placed meanwhile.
 */
@Injectable()
export class OrdersService {
  constructor(private readonly orders: OrdersApi) {}

  async list(customerId: string, cursor: string | undefined, limit = DEFAULT_ORDER_PAGE): Promise<OrderListDto> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const all = (await this.orders.listOrders({ customerId })).filter((order) => order.customerId === customerId);
    const rest = after === undefined ? all : all.filter((order) => isAfter(order, after));
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toOrderDto), nextCursor: rest.length > limit && last ? encodeCursor(last) : null };
  }

  /** Another customer's order is answered like a missing one (404), revealing nothing. */
  async get(customerId: string, id: string): Promise<OrderDto> {
    const order = await this.orders.getOrder(id);
    if (order.customerId !== customerId) {
      throw new PlatformError('not_found', 'NOT_FOUND', `order ${id} belongs to another customer`, {
        publicDetail: 'The requested resource does not exist.',
      });
    }
    return toOrderDto(order);
  }
}

export function toOrderDto(order: Order): OrderDto {
  return {
    id: order.id,
    status: order.status,
    items: order.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitAmount: item.unitAmount,
      lineAmount: item.unitAmount * item.quantity,
    })),
    totalAmount: order.totalAmount,
    currency: order.currency,
    createdAt: order.createdAt,
  };
}

function isAfter(order: Order, position: CursorPosition): boolean {
  return order.createdAt < position.createdAt || (order.createdAt === position.createdAt && order.id > position.id);
}

function encodeCursor(order: Order): string {
  return Buffer.from(JSON.stringify([order.createdAt, order.id])).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw new PlatformError('bad_request', 'INVALID_CURSOR', 'undecodable order cursor', {
    publicDetail: 'cursor must be an opaque token returned as nextCursor.',
    extensions: {
      errors: [{ field: 'cursor', in: 'query', constraints: { cursor: 'cursor must be an opaque token returned as nextCursor' } }],
    },
  });
}
