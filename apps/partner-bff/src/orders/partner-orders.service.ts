import { Injectable } from '@nestjs/common';

import { PlatformError, type Identity } from '@bff/core';
import { OrdersApi, type Order } from '@bff/retail';

import type { PartnerOrderDto, PartnerOrderListDto } from './partner-orders.dto.js';

/**
 * Orders a partner placed through its customer account. A partner is bound to one account of the
 * retail customers service in the key registry (`account`), so the account is never a request
 * parameter: a partner cannot ask for another account's orders, and an order of another account
 * is answered like a missing one (404), revealing nothing.
 */
@Injectable()
export class PartnerOrdersService {
  constructor(private readonly orders: OrdersApi) {}

  async list(partner: Identity): Promise<PartnerOrderListDto> {
    const account = accountOf(partner);
    const orders = await this.orders.listOrders({ customerId: account });
    return { items: orders.filter((o) => o.customerId === account).map(toDto) };
  }

  async get(partner: Identity, id: string): Promise<PartnerOrderDto> {
    const account = accountOf(partner);
    const order = await this.orders.getOrder(id);
    if (order.customerId !== account) {
      throw new PlatformError('not_found', 'NOT_FOUND', `Order ${id} belongs to another account`, {
        publicDetail: 'The requested resource does not exist.',
        context: { partner: partner.partnerId },
      });
    }
    return toDto(order);
  }
}

function accountOf(partner: Identity): string {
  const account = partner.claims.account;
  if (typeof account !== 'string' || account === '') {
    throw new PlatformError('forbidden', 'PARTNER_ACCOUNT_MISSING', `Partner ${partner.partnerId} has no customer account`, {
      publicDetail: 'Your partner registration has no customer account, so there are no orders to show. Contact the platform team.',
    });
  }
  return account;
}

function toDto(order: Order): PartnerOrderDto {
  return {
    id: order.id,
    status: order.status,
    items: order.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitAmount: i.unitAmount })),
    totalAmount: order.totalAmount,
    currency: order.currency,
    createdAt: order.createdAt,
  };
}
