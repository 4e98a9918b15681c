import { Injectable } from '@nestjs/common';

import { PlatformError, type Identity, type ProblemCode } from '@bff/core';
import { OrderRejectedError, OrdersApi, type Order } from '@bff/retail';
import { isUpstreamError, parseIdempotencyKey } from '@bff/upstream';

import type { PartnerOrderDto, PartnerOrderListDto, PlaceOrderDto } from './partner-orders.dto.js';

/** The answer of a placement: the order, and whether it is the replay of an earlier one with the same key. */
export interface PlacedPartnerOrder {
  readonly order: PartnerOrderDto;
  readonly replayed: boolean;
}

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

  /**
   * Places an order for the partner's account. The partner's Idempotency-Key travels to the orders
   * service (namespaced by partner, so two partners never share a key); the upstream call is retried
   * only because it carries it. A replay with the same key and items answers the same order.
   */
  async place(partner: Identity, rawKey: string | undefined, body: PlaceOrderDto): Promise<PlacedPartnerOrder> {
    const key = parseIdempotencyKey(rawKey);
    const account = accountOf(partner);
    const items = body.items.map((item) => ({ productId: item.productId, quantity: item.quantity }));
    try {
      const placed = await this.orders.placeOrder({ customerId: account, items }, { idempotencyKey: `partner:${partner.subject}:${key}` });
      return { order: toDto(placed.order), replayed: placed.replayed };
    } catch (error) {
      throw placementError(error, partner);
    }
  }
}

/** Upstream failures after which the order may exist: the answer, not the order, may be what was lost. */
const OUTCOME_UNKNOWN = new Set(['timeout', 'deadline_exceeded', 'connection_reset', 'aborted', 'malformed_body', 'body_too_large']);

/** A refused or failed placement, in the partner API's own words (the upstream's document stays internal). */
function placementError(error: unknown, partner: Identity): unknown {
  if (error instanceof OrderRejectedError) {
    const line = error.itemIndex === undefined ? undefined : `items.${error.itemIndex}.productId`;
    const lineProblem = (code: ProblemCode, constraint: string, detail: string): PlatformError =>
      new PlatformError('unprocessable', code, error.message, {
        publicDetail: detail,
        cause: error,
        context: { ...error.context, partner: partner.partnerId },
        extensions: line === undefined ? undefined : { errors: [{ field: line, in: 'body', constraints: { [constraint]: detail } }] },
      });
    switch (error.reason) {
      case 'idempotency_key_reused':
        return new PlatformError('unprocessable', 'IDEMPOTENCY_KEY_REUSED', error.message, {
          publicDetail: 'This Idempotency-Key was already used for an order with other items. Use a new key for a new order.',
          cause: error,
          context: { ...error.context, partner: partner.partnerId },
        });
      case 'unknown_product':
        return lineProblem('UNKNOWN_PRODUCT', 'exists', `Product ${error.productId ?? ''} is not in the catalogue.`);
      case 'product_not_purchasable':
        return lineProblem(
          'PRODUCT_NOT_PURCHASABLE',
          'purchasable',
          `Product ${error.productId ?? ''} has no price and cannot be ordered.`,
        );
      case 'unknown_customer':
        return new PlatformError('forbidden', 'PARTNER_ACCOUNT_UNKNOWN', error.message, {
          publicDetail:
            'The customer account of your partner registration does not exist, so no order can be placed. Contact the platform team.',
          cause: error,
          context: { ...error.context, partner: partner.partnerId },
        });
    }
  }
  if (isUpstreamError(error) && OUTCOME_UNKNOWN.has(error.failure)) {
    return error.remap(
      error.kind,
      error.code,
      'The order service did not confirm the order in time; it may have been placed. Repeat the request with the same Idempotency-Key to get its outcome: it is never placed twice.',
    );
  }
  return error;
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
