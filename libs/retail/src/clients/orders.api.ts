import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { CreateOrderRequest, ListOrdersQuery, Order, OrderList } from '../retail.types.js';
import { enc, type CallOptions, type WriteOptions } from './call-options.js';

/** The answer of `placeOrder`. */
export interface PlacedOrder {
  readonly order: Order;
  /** True when the upstream answered an earlier order placed with the same key and body (no new order). */
  readonly replayed: boolean;
  /** The Idempotency-Key the order was placed with (the caller's, or a generated one). */
  readonly idempotencyKey: string;
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
   * the same order instead of a second one; without it, a fresh key is generated for this call.
   * Rejects with kind `not_found` for an unknown customer or product, and with an upstream 422 when
   * the key was used with another body or a product has no price.
   */
  async placeOrder(request: CreateOrderRequest, options: WriteOptions = {}): Promise<PlacedOrder> {
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const res = await this.http.request<Order>({ ...options, method: 'POST', path: '/orders', body: request, idempotencyKey });
    return { order: res.body, replayed: res.headers['idempotent-replayed'] === 'true', idempotencyKey };
  }
}
