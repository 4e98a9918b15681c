import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { AddCartItemRequest, Cart, UpdateCartItemRequest } from '../retail.types.js';
import { enc, type CallOptions, type WriteOptions } from './call-options.js';

/**
 * Adapter for the carts service (user data: declared `auth: 'relay'`). Every write answers the
 * whole updated cart.
 */
@Injectable()
export class CartsApi {
  constructor(@InjectUpstream('carts') private readonly http: UpstreamClient) {}

  /** The id of a customer's cart (`cart-<customerId>`, as the carts service defines it). */
  static cartIdFor(customerId: string): string {
    return `cart-${customerId}`;
  }

  /** `GET /carts/{id}`; a cart that does not exist (yet) rejects with kind `not_found`. */
  getCart(cartId: string, options: CallOptions = {}): Promise<Cart> {
    return this.http.getJson<Cart>(`/carts/${enc(cartId)}`, options);
  }

  /**
   * `POST /carts/{id}/items`: adds `quantity` to the line of `productId` (capped at 99), creating the
   * customer's cart on first use. Not idempotent: pass an `idempotencyKey` to make it retryable.
   * An unknown product or cart rejects with kind `not_found`; an invalid quantity with an upstream 400.
   */
  async addItem(cartId: string, item: AddCartItemRequest, options: WriteOptions = {}): Promise<Cart> {
    const res = await this.http.request<Cart>({ ...options, method: 'POST', path: `/carts/${enc(cartId)}/items`, body: item });
    return res.body;
  }

  /**
   * `PATCH /carts/{id}/items/{productId}`: sets the quantity of a line (0 removes it). A product
   * that is not in the cart rejects with kind `not_found`.
   */
  async updateItem(
    cartId: string,
    productId: string,
    quantity: UpdateCartItemRequest['quantity'],
    options: WriteOptions = {},
  ): Promise<Cart> {
    const body: UpdateCartItemRequest = { quantity };
    const res = await this.http.request<Cart>({ ...options, method: 'PATCH', path: `/carts/${enc(cartId)}/items/${enc(productId)}`, body });
    return res.body;
  }

  /** `DELETE /carts/{id}/items/{productId}` (idempotent: removing an absent line answers the cart unchanged). */
  async removeItem(cartId: string, productId: string, options: CallOptions = {}): Promise<Cart> {
    const res = await this.http.request<Cart>({ ...options, method: 'DELETE', path: `/carts/${enc(cartId)}/items/${enc(productId)}` });
    return res.body;
  }
}
