import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { PlatformError, type ProblemCode } from '@bff/core';
import { InjectUpstream, isUpstreamError, UpstreamClient, type UpstreamError } from '@bff/upstream';

import type { CreateOrderRequest, ListOrdersQuery, Order, OrderList, OrderProblem } from '../retail.types.js';
import { enc, type CallOptions, type WriteOptions } from './call-options.js';

/** The answer of `placeOrder`. */
export interface PlacedOrder {
  readonly order: Order;
  /** True when the upstream answered an earlier order placed with the same key and body (no new order). */
  readonly replayed: boolean;
  /** The Idempotency-Key the order was placed with (the caller's, or a generated one). */
  readonly idempotencyKey: string;
}

/** Why the orders service refused a placement (its 422 problem types). */
export type OrderRejectionReason = 'idempotency_key_reused' | 'unknown_customer' | 'unknown_product' | 'product_not_purchasable';

const REJECTIONS: Readonly<Record<string, { reason: OrderRejectionReason; code: ProblemCode; detail: string }>> = {
  'idempotency-key-reused': {
    reason: 'idempotency_key_reused',
    code: 'IDEMPOTENCY_KEY_REUSED',
    detail: 'This Idempotency-Key was already used for a different order.',
  },
  'unknown-customer': { reason: 'unknown_customer', code: 'UNKNOWN_CUSTOMER', detail: 'The customer of the order does not exist.' },
  'unknown-product': { reason: 'unknown_product', code: 'UNKNOWN_PRODUCT', detail: 'A product of the order does not exist.' },
  'product-not-purchasable': {
    reason: 'product_not_purchasable',
    code: 'PRODUCT_NOT_PURCHASABLE',
    detail: 'A product of the order has no price and cannot be ordered.',
  },
};

/**
 * A placement the orders service refused for a reason the caller can fix (a 422 of its own):
 * kind `unprocessable`, with the product and the index of the order line it is about, when it is
 * about one. The upstream's document itself is never exposed.
 */
export class OrderRejectedError extends PlatformError {
  constructor(
    readonly reason: OrderRejectionReason,
    code: ProblemCode,
    detail: string,
    /** The product the refusal is about (unknown_product, product_not_purchasable). */
    readonly productId: string | undefined,
    /** Index in `items` of the line the refusal is about. */
    readonly itemIndex: number | undefined,
    cause: UpstreamError,
  ) {
    super('unprocessable', code, `orders refused the placement: ${reason}${productId ? ` (${productId})` : ''}`, {
      publicDetail: detail,
      cause,
      context: cause.context,
    });
    this.name = 'OrderRejectedError';
  }
}

/** The order refusal an upstream 422 problem describes; undefined for anything else. */
function rejectionOf(error: unknown): OrderRejectedError | undefined {
  if (!isUpstreamError(error) || error.upstreamStatus !== 422 || error.upstreamBody === undefined) return undefined;
  let problem: Partial<OrderProblem>;
  try {
    problem = JSON.parse(error.upstreamBody) as Partial<OrderProblem>;
  } catch {
    return undefined;
  }
  const slug = typeof problem.type === 'string' ? problem.type.slice(problem.type.lastIndexOf('/') + 1) : '';
  const rejection = REJECTIONS[slug];
  if (rejection === undefined) return undefined;
  const line = typeof problem.pointer === 'string' ? /^\/items\/(\d+)\//.exec(problem.pointer) : null;
  const productId = typeof problem.productId === 'string' ? problem.productId : undefined;
  return new OrderRejectedError(rejection.reason, rejection.code, rejection.detail, productId, line ? Number(line[1]) : undefined, error);
}

/** Adapter for the orders service (user data: declared `auth: 'relay'`). */
@Injectable()
export class OrdersApi {
  constructor(@InjectUpstream('orders') private readonly http: UpstreamClient) {}

  /** `GET /orders`: newest first; all orders of `customerId` (every order when omitted). */
  async listOrders(query: ListOrdersQuery = {}, options: CallOptions = {}): Promise<Order[]> {
    const list = await this.http.getJson<OrderList>('/orders', { ...options, query });
    return list.items;
  }

  /** `GET /orders/{id}`; an unknown order rejects with kind `not_found`. */
  getOrder(id: string, options: CallOptions = {}): Promise<Order> {
    return this.http.getJson<Order>(`/orders/${enc(id)}`, options);
  }

  /**
   * `POST /orders`. The orders service requires an Idempotency-Key: pass the one of the caller's
   * logical operation (e.g. from the client's checkout attempt) so that a retried placement returns
   * the same order instead of a second one; without it, a fresh key is generated for this call
   * (the call is retried with that same key, so never into a second order). Rejects with an
   * OrderRejectedError when the key was used with another body, or the customer or a product is
   * unknown or not purchasable; other failures are UpstreamErrors.
   */
  async placeOrder(request: CreateOrderRequest, options: WriteOptions = {}): Promise<PlacedOrder> {
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    try {
      const res = await this.http.request<Order>({ ...options, method: 'POST', path: '/orders', body: request, idempotencyKey });
      return { order: res.body, replayed: res.headers['idempotent-replayed'] === 'true', idempotencyKey };
    } catch (error) {
      throw rejectionOf(error) ?? error;
    }
  }
}
