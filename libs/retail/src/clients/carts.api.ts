import { Injectable } from '@nestjs/common';

import { InjectUpstream, isUpstreamError, UpstreamClient } from '@bff/upstream';

import type { AddCartItemRequest, Cart, CartItem, UpdateCartItemRequest } from '../retail.types.js';
import { enc, type CallOptions, type WriteOptions } from './call-options.js';

/** The upstream problem type (last path segment of `type`) of a failed call; undefined when there is none. */
function problemSlugOf(error: unknown): string | undefined {
  if (!isUpstreamError(error) || error.upstreamBody === undefined) return undefined;
  try {
    const type = (JSON.parse(error.upstreamBody) as { type?: unknown }).type;
    return typeof type === 'string' ? type.slice(type.lastIndexOf('/') + 1) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The carts service's refusals a caller can act on, re-classified from its 404/409 problems: an unknown
 * product is the caller's input (422 UNKNOWN_PRODUCT), a line that is not in the cart a 404
 * ITEM_NOT_IN_CART, a compare-and-clear that found another cart a 409 CART_CHANGED. Other failures stay as they are.
 */
function cartError(error: unknown): unknown {
  if (!isUpstreamError(error)) return error;
  switch (problemSlugOf(error)) {
    case 'unknown-product':
      return error.remap('unprocessable', 'UNKNOWN_PRODUCT', 'The product does not exist, so it cannot be added to the cart.');
    case 'item-not-in-cart':
      return error.remap('not_found', 'ITEM_NOT_IN_CART', 'The product is not in the cart.');
    case 'cart-changed':
      return error.remap('conflict', 'CART_CHANGED', 'The cart changed in the meantime.');
    case undefined:
    default:
      return error;
  }
}

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
   * An unknown product rejects with kind `unprocessable` (code UNKNOWN_PRODUCT), an unknown cart with
   * kind `not_found`; an invalid quantity with an upstream 400.
   */
  async addItem(cartId: string, item: AddCartItemRequest, options: WriteOptions = {}): Promise<Cart> {
    try {
      const res = await this.http.request<Cart>({ ...options, method: 'POST', path: `/carts/${enc(cartId)}/items`, body: item });
      return res.body;
    } catch (error) {
      throw cartError(error);
    }
  }

  /**
   * `PATCH /carts/{id}/items/{productId}`: sets the quantity of a line (0 removes it). A product
   * that is not in the cart rejects with kind `not_found` (code ITEM_NOT_IN_CART).
   */
  async updateItem(
    cartId: string,
    productId: string,
    quantity: UpdateCartItemRequest['quantity'],
    options: WriteOptions = {},
  ): Promise<Cart> {
    const body: UpdateCartItemRequest = { quantity };
    try {
      const res = await this.http.request<Cart>({
        ...options,
        method: 'PATCH',
        path: `/carts/${enc(cartId)}/items/${enc(productId)}`,
        body,
      });
      return res.body;
    } catch (error) {
      throw cartError(error);
    }
  }

  /**
   * `POST /carts/{id}/clear`: empties the cart only if it still holds exactly `items` (compare-and-clear),
   * so lines added or changed since the caller read it are never lost. Rejects with kind `conflict`
   * (code CART_CHANGED) when the cart differs (also when it was already emptied). Not retried: a
   * repeat after a lost answer would only find the cart already empty.
   */
  async clearIfUnchanged(cartId: string, items: readonly CartItem[], options: CallOptions = {}): Promise<Cart> {
    try {
      const res = await this.http.request<Cart>({ ...options, method: 'POST', path: `/carts/${enc(cartId)}/clear`, body: { items } });
      return res.body;
    } catch (error) {
      throw cartError(error);
    }
  }

  /** `DELETE /carts/{id}/items/{productId}` (idempotent: removing an absent line answers the cart unchanged). */
  async removeItem(cartId: string, productId: string, options: CallOptions = {}): Promise<Cart> {
    const res = await this.http.request<Cart>({ ...options, method: 'DELETE', path: `/carts/${enc(cartId)}/items/${enc(productId)}` });
    return res.body;
  }
}
