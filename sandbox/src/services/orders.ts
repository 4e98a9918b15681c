import type { FastifyInstance } from 'fastify';

import { AUTHZ_OFF, forbidden, requireOwner, type Authorizer } from '../http/authz.ts';
import { sendJson } from '../http/caching.ts';
import {
  arrayOf,
  BAD_REQUEST,
  bearer,
  buildDocument,
  dateTime,
  FORBIDDEN,
  integer,
  itemsOf,
  jsonBody,
  jsonResponse,
  object,
  pathParam,
  problemResponse,
  queryParam,
  ref,
  string,
  UNAUTHORIZED,
} from '../http/openapi.ts';
import { isQuantity, isRecord, single, type Query } from '../http/params.ts';
import { badRequest, HttpProblem, notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import { orderId, type SeedData } from '../seed/data.ts';
import type { CartItem, Order, OrderItem } from '../seed/model.ts';
import { MAX_QUANTITY } from './carts.ts';

const MAX_ORDER_ITEMS = 50;
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Visible ASCII only: no spaces or control characters, so a key survives every hop unchanged. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]+$/;
/** How long a key is remembered after the order it created (then the same key places a new order). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

const ORDER_LOCATION = { description: 'URL path of the order.', required: true, schema: string({ examples: ['/orders/o-000001'] }) };

export const ORDERS_OPENAPI = buildDocument({
  service: 'orders',
  title: 'Sandbox Orders Service',
  description:
    "Orders (in-memory, mutable; reset with POST /__admin/reset). Creating an order requires an `Idempotency-Key` header, scoped to the customer and remembered for 24 hours: replaying the same key with the same body returns the same order (200, `Idempotent-Replayed: true`) and never creates a second one; reusing a key with a different body is rejected with 422. Reads need a bearer token with `orders:read`, placing one `orders:write`; a token sees and places orders of its own customer only (a user token: its subject; a partner token: its `account` claim). Another customer's order is 404, listing or ordering for another customer 403.",
  secured: true,
  schemas: {
    OrderItem: object({
      productId: string({ examples: ['p-00001'] }),
      quantity: integer({ minimum: 1, maximum: MAX_QUANTITY }),
      unitAmount: integer({ minimum: 0, description: 'Unit price in minor units at ordering time.' }),
    }),
    Order: object({
      id: string({ examples: ['o-000001'] }),
      customerId: string({ examples: ['c-0001'] }),
      items: arrayOf(ref('OrderItem'), { minItems: 1 }),
      status: string({ enum: ['created', 'paid', 'shipped', 'delivered', 'cancelled'] }),
      totalAmount: integer({ minimum: 0, description: 'Sum of unitAmount × quantity, minor units.' }),
      currency: string({ enum: ['EUR'] }),
      createdAt: dateTime(),
    }),
    OrderList: itemsOf('Order'),
    OrderProblem: object(
      {
        type: string({ format: 'uri', examples: ['https://sandbox.bff.local/problems/unknown-product'] }),
        title: string(),
        status: integer({ minimum: 400, maximum: 599 }),
        detail: string(),
        instance: string(),
        productId: string({ description: 'The product the problem is about (unknown-product, product-not-purchasable).' }),
        pointer: string({ description: 'JSON Pointer to the offending request member, e.g. `/items/1/productId`.' }),
      },
      ['instance', 'productId', 'pointer'],
      {
        description:
          'RFC 9457 problem of an order placement. Types: `idempotency-key-reused`, `unknown-customer`, `unknown-product`, `product-not-purchasable`.',
      },
    ),
    CreateOrderItem: object({
      productId: string({ minLength: 1 }),
      quantity: integer({ minimum: 1, maximum: MAX_QUANTITY }),
    }),
    CreateOrderRequest: object({
      customerId: string({ minLength: 1, examples: ['c-0001'] }),
      items: arrayOf(ref('CreateOrderItem'), { minItems: 1, maxItems: MAX_ORDER_ITEMS, description: 'Distinct product ids.' }),
    }),
  },
  paths: {
    '/orders': {
      get: {
        operationId: 'listOrders',
        tags: ['orders'],
        summary: "List the token's customer's orders, newest first",
        ...bearer('orders:read'),
        parameters: [
          queryParam(
            'customerId',
            string({ examples: ['c-0001'] }),
            "Only orders of this customer: the token's own (default), anyone else's is 403.",
          ),
        ],
        responses: { '200': jsonResponse('Orders', ref('OrderList')), '401': UNAUTHORIZED, '403': FORBIDDEN },
      },
      post: {
        operationId: 'createOrder',
        tags: ['orders'],
        summary: 'Place an order (idempotent with Idempotency-Key)',
        ...bearer('orders:write'),
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            description: `Client-chosen unique key (1..${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters), scoped to the order's customer.`,
            schema: string({ minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7e]+$' }),
          },
        ],
        requestBody: jsonBody(ref('CreateOrderRequest'), 'The order to place'),
        responses: {
          '201': jsonResponse('Order created', ref('Order'), { headers: { Location: ORDER_LOCATION } }),
          '200': jsonResponse('Replay of an earlier request with the same Idempotency-Key and body', ref('Order'), {
            headers: {
              'Idempotent-Replayed': { description: 'Always "true" on a replay.', required: true, schema: string({ enum: ['true'] }) },
              Location: ORDER_LOCATION,
            },
          }),
          '400': BAD_REQUEST,
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '422': {
            description:
              'Idempotency-Key reused with a different body (`idempotency-key-reused`), an unknown customer (`unknown-customer`) or product (`unknown-product`), or a product without a price (`product-not-purchasable`)',
            content: { 'application/problem+json': { schema: ref('OrderProblem') } },
          },
        },
      },
    },
    '/orders/{id}': {
      get: {
        operationId: 'getOrder',
        tags: ['orders'],
        summary: 'Get an order',
        ...bearer('orders:read'),
        parameters: [pathParam('id', 'Order id', 'o-000001')],
        responses: {
          '200': jsonResponse('The order', ref('Order')),
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '404': problemResponse("Unknown order, or another customer's"),
        },
      },
    },
  },
});

interface IdempotencyRecord {
  fingerprint: string;
  orderId: string;
  /** Date.now() after which the key is forgotten. */
  expiresAt: number;
}

/** The `Idempotency-Key` header, validated (400 when missing or malformed). */
function idempotencyKeyOf(raw: string | string[] | undefined): string {
  const key = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  if (key === '') throw new HttpProblem(400, "the 'Idempotency-Key' header is required", 'idempotency-key-missing');
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new HttpProblem(
      400,
      `'Idempotency-Key' must be 1..${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
      'idempotency-key-invalid',
    );
  }
  return key;
}

/** Identifies "the same request": the customer and its lines, whatever their order in the body. */
function fingerprintOf(input: { customerId: string; items: CartItem[] }): string {
  const items = [...input.items].sort((a, b) => a.productId.localeCompare(b.productId));
  return JSON.stringify({ customerId: input.customerId, items });
}

function parseCreateOrder(body: unknown): { customerId: string; items: CartItem[] } {
  if (!isRecord(body)) throw badRequest('body must be a JSON object {customerId, items}');
  const { customerId, items } = body;
  if (typeof customerId !== 'string' || customerId === '') throw badRequest("'customerId' must be a non-empty string");
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ORDER_ITEMS) {
    throw badRequest(`'items' must be an array of 1..${MAX_ORDER_ITEMS} items`);
  }
  const parsed: CartItem[] = [];
  const seen = new Set<string>();
  for (const [index, item] of (items as unknown[]).entries()) {
    if (!isRecord(item) || typeof item['productId'] !== 'string' || item['productId'] === '') {
      throw badRequest(`items[${index}].productId must be a non-empty string`);
    }
    const quantity = item['quantity'];
    if (!isQuantity(quantity, 1, MAX_QUANTITY))
      throw badRequest(`items[${index}].quantity must be an integer between 1 and ${MAX_QUANTITY}`);
    if (seen.has(item['productId'])) throw badRequest(`items[${index}]: duplicate productId '${item['productId']}'`);
    seen.add(item['productId']);
    parsed.push({ productId: item['productId'], quantity });
  }
  return { customerId, items: parsed };
}

export function createOrdersService(seed: SeedData, authz: Authorizer = AUTHZ_OFF): ServiceModule {
  let orders = new Map<string, Order>();
  let idempotency = new Map<string, IdempotencyRecord>();
  const reset = (): void => {
    orders = new Map(seed.orders.map((order) => [order.id, { ...order, items: order.items.map((item) => ({ ...item })) }]));
    idempotency = new Map();
  };
  reset();

  const byNewest = (a: Order, b: Order): number =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id.localeCompare(b.id);

  return {
    name: 'orders',
    openapi: ORDERS_OPENAPI,
    reset,
    register(app: FastifyInstance) {
      app.get<{ Querystring: Query }>('/orders', async (request, reply) => {
        const principal = await authz.require(request, 'orders:read');
        const requested = single(request.query['customerId']);
        let customerId = requested;
        if (principal !== undefined) {
          if (principal.customerId === undefined) throw forbidden('the access token is bound to no customer');
          customerId = requested === undefined || requested === '' ? principal.customerId : requested;
          requireOwner(principal, customerId, `the orders of customer '${customerId}'`);
        }
        const items = [...orders.values()].filter(
          (order) => customerId === undefined || customerId === '' || order.customerId === customerId,
        );
        return sendJson(reply, 200, { items: items.sort(byNewest) });
      });

      app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
        const principal = await authz.require(request, 'orders:read');
        const order = orders.get(request.params.id);
        // Another customer's order is answered like a missing one: its existence is not revealed.
        if (order === undefined || (principal !== undefined && order.customerId !== principal.customerId))
          throw notFound(`order '${request.params.id}' not found`);
        return sendJson(reply, 200, order);
      });

      app.post('/orders', async (request, reply) => {
        const principal = await authz.require(request, 'orders:write');
        const key = idempotencyKeyOf(request.headers['idempotency-key']);
        const input = parseCreateOrder(request.body);
        requireOwner(principal, input.customerId, `orders of customer '${input.customerId}'`);
        const fingerprint = fingerprintOf(input);
        // Keys are per customer: two customers (or partners) choosing the same key never collide.
        const scopedKey = `${input.customerId}\n${key}`;
        const previous = idempotency.get(scopedKey);
        if (previous !== undefined && previous.expiresAt <= Date.now()) idempotency.delete(scopedKey);
        else if (previous !== undefined) {
          if (previous.fingerprint !== fingerprint) {
            throw new HttpProblem(422, `Idempotency-Key '${key}' was already used with a different request body`, 'idempotency-key-reused');
          }
          const order = orders.get(previous.orderId);
          if (order !== undefined) {
            reply.header('idempotent-replayed', 'true').header('location', `/orders/${order.id}`);
            return sendJson(reply, 200, order);
          }
        }
        if (!seed.customersById.has(input.customerId)) {
          throw new HttpProblem(422, `customer '${input.customerId}' does not exist`, 'unknown-customer', {}, { pointer: '/customerId' });
        }
        const items: OrderItem[] = input.items.map(({ productId, quantity }, index) => {
          const problem = { productId, pointer: `/items/${index}/productId` };
          if (!seed.productsById.has(productId)) {
            throw new HttpProblem(422, `product '${productId}' does not exist`, 'unknown-product', {}, problem);
          }
          const price = seed.prices.get(productId);
          if (price === undefined)
            throw new HttpProblem(422, `product '${productId}' has no price and cannot be ordered`, 'product-not-purchasable', {}, problem);
          return { productId, quantity, unitAmount: price.amount };
        });
        const order: Order = {
          id: orderId(orders.size + 1),
          customerId: input.customerId,
          items,
          status: 'created',
          totalAmount: items.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0),
          currency: 'EUR',
          createdAt: new Date().toISOString(),
        };
        orders.set(order.id, order);
        idempotency.set(scopedKey, { fingerprint, orderId: order.id, expiresAt: Date.now() + IDEMPOTENCY_KEY_TTL_MS });
        reply.header('location', `/orders/${order.id}`);
        return sendJson(reply, 201, order);
      });
    },
  };
}
