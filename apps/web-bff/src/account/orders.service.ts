import { Injectable } from '@nestjs/common';

import { OrderHistory, type Order } from '@bff/retail';

import { DEFAULT_ORDER_PAGE, type OrderDto, type OrderListDto } from './orders.dto.js';

/** The signed-in customer's orders in the web API's shape (paging and ownership: OrderHistory of @bff/retail). */
@Injectable()
export class OrdersService {
  constructor(private readonly history: OrderHistory) {}

  async list(customerId: string, cursor: string | undefined, limit = DEFAULT_ORDER_PAGE): Promise<OrderListDto> {
    const page = await this.history.list(customerId, cursor, limit);
    return { items: page.items.map(toOrderDto), nextCursor: page.nextCursor };
  }

  async get(customerId: string, id: string): Promise<OrderDto> {
    return toOrderDto(await this.history.get(customerId, id));
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
