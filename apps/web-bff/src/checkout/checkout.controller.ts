import { Controller, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { CurrentUser, SessionProtected } from '@bff/auth';
import { ApiProblemResponses, type Identity } from '@bff/core';
import { CustomerCheckout } from '@bff/retail';
import { ApiIdempotencyKey, IdempotencyKey } from '@bff/upstream';

import { OrderDto } from '../account/orders.dto.js';
import { toOrderDto } from '../account/orders.service.js';

const ORDER_LOCATION = {
  description: 'Path of the order (GET it for its status).',
  required: true,
  schema: { type: 'string', example: '/api/v1/orders/o-000378' },
};

@ApiTags('checkout')
@Controller('api/v1/checkout')
export class CheckoutController {
  constructor(private readonly checkout: CustomerCheckout) {}

  @Post()
  @SessionProtected(['cart:write', 'orders:write'])
  @ApiOperation({
    summary: "Places an order from the signed-in customer's cart, then empties the cart; idempotent with the required Idempotency-Key.",
    description:
      'The order is priced by the orders service (its total is final; the cart subtotal was an estimate). Repeating the request with the ' +
      'same Idempotency-Key answers the same order (200, `Idempotent-Replayed: true`) and never places a second one: after a timeout (504), ' +
      'a 503 or a lost answer, repeat it with the same key. The same key with other cart contents is a 422 (idempotency-key-reused); ' +
      'an empty cart is a 422 (cart-empty). A failed placement leaves the cart as it was. Requires the session cookie and X-CSRF: 1.',
  })
  @ApiIdempotencyKey(
    "Unique per checkout attempt (e.g. a UUID the page creates once): 8-128 letters, digits, '-', '_', '.' or ':'. Remembered for 24 hours.",
  )
  @ApiCreatedResponse({ type: OrderDto, description: 'The order was placed and the cart emptied.', headers: { Location: ORDER_LOCATION } })
  @ApiOkResponse({
    type: OrderDto,
    description: 'Replay: this Idempotency-Key already placed this order; nothing new was placed.',
    headers: {
      'Idempotent-Replayed': { description: 'Always "true" on a replay.', required: true, schema: { type: 'string', enum: ['true'] } },
      Location: ORDER_LOCATION,
    },
  })
  @ApiProblemResponses(401, 403, 422, 502, 503, 504)
  async place(
    @CurrentUser() user: Identity,
    @IdempotencyKey() key: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const { order, replayed } = await this.checkout.checkout('web', user.subject, key);
    void reply.status(replayed ? 200 : 201).header('location', `/api/v1/orders/${order.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return toOrderDto(order);
  }
}
