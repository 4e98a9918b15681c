import type { FastifyInstance, FastifyRequest } from 'fastify';

import { AUTHZ_OFF, forbidden, type Authorizer, type Principal } from '../http/authz.ts';
import { sendJson } from '../http/caching.ts';
import {
  arrayOf,
  BAD_REQUEST,
  bearer,
  buildDocument,
  dateTime,
  FORBIDDEN,
  integer,
  jsonBody,
  jsonResponse,
  NOT_FOUND,
  object,
  pathParam,
  problemResponse,
  ref,
  string,
  UNAUTHORIZED,
} from '../http/openapi.ts';
import { isQuantity, isRecord } from '../http/params.ts';
import { badRequest, HttpProblem, notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import type { Cart } from '../seed/model.ts';

export const MAX_QUANTITY = 99;

export const CARTS_OPENAPI = buildDocument({
  service: 'carts',
  title: 'Sandbox Carts Service',
  description:
    "Shopping carts (in-memory, mutable; reset with POST /__admin/reset). Cart ids are `cart-<customerId>`; a cart that does not exist yet is created by its first POST .../items. Every operation (reads included) needs a bearer token with `cart:write`; a token reaches its own customer's cart only (another customer's cart is 403).",
  secured: true,
  schemas: {
    CartItem: object({
      productId: string({ examples: ['p-00001'] }),
      quantity: integer({ minimum: 1, maximum: MAX_QUANTITY }),
    }),
    Cart: object({
      id: string({ examples: ['cart-c-0001'] }),
      customerId: string({ examples: ['c-0001'] }),
      items: arrayOf(ref('CartItem')),
      updatedAt: dateTime(),
    }),
    AddCartItemRequest: object({
      productId: string({ minLength: 1 }),
      quantity: integer({ minimum: 1, maximum: MAX_QUANTITY, description: 'Added to the quantity already in the cart (capped at 99).' }),
    }),
    UpdateCartItemRequest: object({
      quantity: integer({ minimum: 0, maximum: MAX_QUANTITY, description: '0 removes the item.' }),
    }),
    ClearCartRequest: object({
      items: arrayOf(ref('CartItem'), {
        description: 'The lines the caller believes the cart holds (any order); the cart is cleared only if it holds exactly these.',
      }),
    }),
  },
  paths: {
    '/carts/{id}': {
      get: {
        operationId: 'getCart',
        ...bearer('cart:write'),
        tags: ['carts'],
        summary: 'Get a cart',
        parameters: [pathParam('id', 'Cart id', 'cart-c-0001')],
        responses: {
          '200': jsonResponse('The cart', ref('Cart')),
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '404': NOT_FOUND,
        },
      },
    },
    '/carts/{id}/items': {
      post: {
        operationId: 'addCartItem',
        ...bearer('cart:write'),
        tags: ['carts'],
        summary: 'Add a product to a cart (creates the cart of an existing customer on first use)',
        parameters: [pathParam('id', 'Cart id', 'cart-c-0001')],
        requestBody: jsonBody(ref('AddCartItemRequest'), 'Product and quantity to add'),
        responses: {
          '200': jsonResponse('The updated cart', ref('Cart')),
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '400': BAD_REQUEST,
          '404': problemResponse(
            'Unknown product (type `unknown-product`), or unknown cart (not seeded and not `cart-<existing customer id>`)',
          ),
        },
      },
    },
    '/carts/{id}/clear': {
      post: {
        operationId: 'clearCart',
        ...bearer('cart:write'),
        tags: ['carts'],
        summary: 'Empty a cart if it still holds exactly the given lines (compare-and-clear)',
        description:
          'Lets a caller empty the cart it has just ordered without losing anything added since: when the cart no longer holds exactly `items`, nothing changes and the answer is 409 (type `cart-changed`). Repeating a successful clear answers 409 too (the cart is now empty), which callers treat as done.',
        parameters: [pathParam('id', 'Cart id', 'cart-c-0001')],
        requestBody: jsonBody(ref('ClearCartRequest'), 'The lines expected in the cart'),
        responses: {
          '200': jsonResponse('The emptied cart', ref('Cart')),
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '400': BAD_REQUEST,
          '404': NOT_FOUND,
          '409': problemResponse('The cart does not hold exactly the given lines (type `cart-changed`); it is unchanged'),
        },
      },
    },
    '/carts/{id}/items/{productId}': {
      patch: {
        operationId: 'updateCartItem',
        ...bearer('cart:write'),
        tags: ['carts'],
        summary: 'Set the quantity of a cart item',
        parameters: [pathParam('id', 'Cart id', 'cart-c-0001'), pathParam('productId', 'Product id', 'p-00001')],
        requestBody: jsonBody(ref('UpdateCartItemRequest'), 'New quantity'),
        responses: {
          '200': jsonResponse('The updated cart', ref('Cart')),
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '400': BAD_REQUEST,
          '404': problemResponse('Unknown cart, or the product is not in the cart (type `item-not-in-cart`)'),
        },
      },
      delete: {
        operationId: 'removeCartItem',
        ...bearer('cart:write'),
        tags: ['carts'],
        summary: 'Remove an item from a cart (idempotent)',
        parameters: [pathParam('id', 'Cart id', 'cart-c-0001'), pathParam('productId', 'Product id', 'p-00001')],
        responses: {
          '200': jsonResponse('The updated cart', ref('Cart')),
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

function cloneCart(cart: Cart): Cart {
  return { ...cart, items: cart.items.map((item) => ({ ...item })) };
}

/** The lines of a cart in a canonical form (order-insensitive), to compare two carts. */
function linesKey(items: readonly Cart['items'][number][]): string {
  return JSON.stringify([...items].sort((a, b) => a.productId.localeCompare(b.productId)).map((i) => [i.productId, i.quantity]));
}

export function createCartsService(seed: SeedData, authz: Authorizer = AUTHZ_OFF): ServiceModule {
  let carts = new Map<string, Cart>();
  const reset = (): void => {
    carts = new Map(seed.carts.map((cart) => [cart.id, cloneCart(cart)]));
  };
  reset();

  const getCart = (id: string): Cart => {
    const cart = carts.get(id);
    if (cart === undefined) throw notFound(`cart '${id}' not found`);
    return cart;
  };
  /** 403 unless the token's customer owns cart `id` (an existing cart's customer, else the one its id names). */
  const authorize = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<Principal | undefined> => {
    const principal = await authz.require(request, 'cart:write');
    const { id } = request.params;
    const owner = carts.get(id)?.customerId ?? (id.startsWith('cart-') ? id.slice('cart-'.length) : undefined);
    if (principal !== undefined && owner !== principal.customerId) throw forbidden(`the access token may not access cart '${id}'`);
    return principal;
  };
  const touch = (cart: Cart): Cart => {
    cart.updatedAt = new Date().toISOString();
    return cart;
  };

  return {
    name: 'carts',
    openapi: CARTS_OPENAPI,
    reset,
    register(app: FastifyInstance) {
      app.get<{ Params: { id: string } }>('/carts/:id', async (request, reply) => {
        await authorize(request);
        return sendJson(reply, 200, getCart(request.params.id));
      });

      app.post<{ Params: { id: string } }>('/carts/:id/items', async (request, reply) => {
        await authorize(request);
        const body = request.body;
        if (!isRecord(body)) throw badRequest('body must be a JSON object {productId, quantity}');
        const { productId, quantity } = body;
        if (typeof productId !== 'string' || productId === '') throw badRequest("'productId' must be a non-empty string");
        if (!isQuantity(quantity, 1, MAX_QUANTITY)) throw badRequest(`'quantity' must be an integer between 1 and ${MAX_QUANTITY}`);
        if (!seed.productsById.has(productId)) throw new HttpProblem(404, `product '${productId}' not found`, 'unknown-product');
        const { id } = request.params;
        let cart = carts.get(id);
        if (cart === undefined) {
          const customerId = id.startsWith('cart-') ? id.slice('cart-'.length) : '';
          if (!seed.customersById.has(customerId)) throw notFound(`cart '${id}' not found`);
          cart = { id, customerId, items: [], updatedAt: new Date().toISOString() };
          carts.set(id, cart);
        }
        const existing = cart.items.find((item) => item.productId === productId);
        if (existing === undefined) cart.items.push({ productId, quantity });
        else existing.quantity = Math.min(MAX_QUANTITY, existing.quantity + quantity);
        return sendJson(reply, 200, touch(cart));
      });

      app.patch<{ Params: { id: string; productId: string } }>('/carts/:id/items/:productId', async (request, reply) => {
        await authorize(request);
        const body = request.body;
        if (!isRecord(body) || !isQuantity(body['quantity'], 0, MAX_QUANTITY)) {
          throw badRequest(`body must be {quantity} with an integer quantity between 0 and ${MAX_QUANTITY}`);
        }
        const quantity = body['quantity'];
        const cart = getCart(request.params.id);
        const index = cart.items.findIndex((item) => item.productId === request.params.productId);
        const item = cart.items[index];
        if (item === undefined) {
          throw new HttpProblem(404, `product '${request.params.productId}' is not in cart '${cart.id}'`, 'item-not-in-cart');
        }
        if (quantity === 0) cart.items.splice(index, 1);
        else item.quantity = quantity;
        return sendJson(reply, 200, touch(cart));
      });

      app.post<{ Params: { id: string } }>('/carts/:id/clear', async (request, reply) => {
        await authorize(request);
        const body = request.body;
        if (!isRecord(body) || !Array.isArray(body['items'])) throw badRequest('body must be a JSON object {items}');
        const expected = (body['items'] as unknown[]).map((item, index) => {
          if (!isRecord(item) || typeof item['productId'] !== 'string' || !isQuantity(item['quantity'], 1, MAX_QUANTITY)) {
            throw badRequest(`items[${index}] must be {productId, quantity} with a quantity between 1 and ${MAX_QUANTITY}`);
          }
          return { productId: item['productId'], quantity: item['quantity'] };
        });
        const cart = getCart(request.params.id);
        if (linesKey(cart.items) !== linesKey(expected)) {
          throw new HttpProblem(409, `cart '${cart.id}' does not hold exactly the given items`, 'cart-changed');
        }
        cart.items = [];
        return sendJson(reply, 200, touch(cart));
      });

      app.delete<{ Params: { id: string; productId: string } }>('/carts/:id/items/:productId', async (request, reply) => {
        await authorize(request);
        const cart = getCart(request.params.id);
        const before = cart.items.length;
        cart.items = cart.items.filter((item) => item.productId !== request.params.productId);
        return sendJson(reply, 200, cart.items.length === before ? cart : touch(cart));
      });
    },
  };
}
