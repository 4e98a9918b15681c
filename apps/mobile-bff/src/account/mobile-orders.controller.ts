import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiDpopProof, CurrentUser } from '@bff/auth';
import { Cached } from '@bff/cache';
import { ApiProblemResponses, Protected, type Identity } from '@bff/core';
import { CustomerCheckout, OrderHistory } from '@bff/retail';
import { ApiIdempotencyKey, IdempotencyKey } from '@bff/upstream';

import { MobileAccountCache, toMobileOrder, toMobileOrderSummary } from './mobile-account.js';
import { MOBILE_ORDER_PAGE, MobileOrderDto, MobileOrderIdParams, MobileOrderListDto, MobileOrderListQuery } from './mobile-orders.dto.js';

const ORDER_LOCATION = {
  description: 'Path of the order (GET it for its status).',
  required: true,
  schema: { type: 'string', example: '/api/v1/orders/o-000378' },
};

const EXCHANGE_NOTE =
  'The orders service is called with a token exchanged for the caller’s (RFC 8693): 503 token-exchange-unavailable when the identity ' +
  'provider cannot exchange it, 401 token-exchange-refused when it refuses the caller’s token.';

@ApiTags('orders')
@ApiDpopProof()
@Controller('api/v1')
export class MobileOrdersController {
  constructor(
    private readonly checkout: CustomerCheckout,
    private readonly history: OrderHistory,
    private readonly cache: MobileAccountCache,
  ) {}

  @Post('checkout')
  @Protected('jwt', ['cart:write', 'orders:write'])
  @ApiOperation({
    summary: "Places an order from the caller's cart, then empties it; exactly once per Idempotency-Key (required).",
    description:
      'The orders service prices the order (its total is final). Repeating the request with the same Idempotency-Key answers the same ' +
      'order (200, `Idempotent-Replayed: true`) and never places a second one: after a timeout (504), a 503 or a lost answer, repeat it ' +
      'with the same key. The same key with other cart contents is a 422 (idempotency-key-reused); an empty cart a 422 (cart-empty); ' +
      'a product that cannot be ordered a 422 (unknown-product, product-not-purchasable, with productId). A failed placement leaves the ' +
      `cart as it was. Keys are the mobile app's own: a key used on the web never answers here. ${EXCHANGE_NOTE}`,
  })
  @ApiIdempotencyKey(
    "Unique per checkout attempt (e.g. a UUID the app creates once and keeps until it has an answer): 8-128 letters, digits, '-', '_', '.' or ':'. Remembered for 24 hours.",
  )
  @ApiCreatedResponse({
    type: MobileOrderDto,
    description: 'The order was placed and the cart emptied.',
    headers: { Location: ORDER_LOCATION },
  })
  @ApiOkResponse({
    type: MobileOrderDto,
    description: 'Replay: this Idempotency-Key already placed this order; nothing new was placed.',
    headers: {
      'Idempotent-Replayed': { description: 'Always "true" on a replay.', required: true, schema: { type: 'string', enum: ['true'] } },
      Location: ORDER_LOCATION,
    },
  })
  @ApiProblemResponses(401, 403, 422, 429, 502, 503, 504)
  async place(
    @CurrentUser() user: Identity,
    @IdempotencyKey() key: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobileOrderDto> {
    const { order, replayed } = await this.checkout.checkout('mobile', user.subject, key);
    await this.cache.forgetCartAndOrders(user);
    void reply.status(replayed ? 200 : 201).header('location', `/api/v1/orders/${order.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return toMobileOrder(order);
  }

  @Get('orders')
  @Protected('jwt', ['orders:read'])
  // The caller's own orders: per user only; the first page is forgotten by this app's checkout.
  @Cached({ ttl: 5, scope: 'user', query: ['cursor', 'limit'], undeclaredQuery: 'bypass' })
  @ApiOperation({
    summary: "The caller's orders, newest first, one page at a time (cursor): one row per order, without lines.",
    description: `Send the ETag back in If-None-Match to get a 304 when nothing changed. ${EXCHANGE_NOTE}`,
  })
  @ApiOkResponse({ type: MobileOrderListDto })
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  async list(@CurrentUser() user: Identity, @Query() query: MobileOrderListQuery): Promise<MobileOrderListDto> {
    const page = await this.history.list(user.subject, query.cursor, query.limit ?? MOBILE_ORDER_PAGE);
    return { items: page.items.map(toMobileOrderSummary), nextCursor: page.nextCursor };
  }

  @Get('orders/:id')
  @Protected('jwt', ['orders:read'])
  @Cached({ ttl: 10, scope: 'user' })
  @ApiOperation({
    summary: "One order of the caller, with its lines; an unknown order or another customer's is a 404.",
    description: `Send the ETag back in If-None-Match to get a 304 when nothing changed. ${EXCHANGE_NOTE}`,
  })
  @ApiOkResponse({ type: MobileOrderDto })
  @ApiProblemResponses(401, 403, 404, 429, 502, 503, 504)
  async get(@CurrentUser() user: Identity, @Param() params: MobileOrderIdParams): Promise<MobileOrderDto> {
    return toMobileOrder(await this.history.get(user.subject, params.id));
  }
}
