import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { CurrentUser } from '@bff/auth';
import { ApiProblemResponses, Protected, type Identity } from '@bff/core';
import { ApiIdempotencyKey } from '@bff/upstream';

import { OrderIdParams, PartnerOrderDto, PartnerOrderListDto, PlaceOrderDto } from './partner-orders.dto.js';
import { PartnerOrdersService } from './partner-orders.service.js';

const ORDER_LOCATION = {
  description: 'Path of the order (GET it for its status).',
  required: true,
  schema: { type: 'string', example: '/v1/orders/o-000378' },
};

@ApiTags('orders')
@Controller('v1/orders')
export class PartnerOrdersController {
  constructor(private readonly orders: PartnerOrdersService) {}

  @Get()
  @Protected('api-key', ['orders:read'])
  @ApiOperation({ summary: "The orders of the calling partner's customer account, newest first." })
  @ApiOkResponse({ type: PartnerOrderListDto })
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  list(@CurrentUser() partner: Identity): Promise<PartnerOrderListDto> {
    return this.orders.list(partner);
  }

  @Post()
  @Protected('api-key', ['orders:write'])
  @ApiOperation({
    summary: "Places an order for the partner's customer account; idempotent with the required Idempotency-Key.",
    description:
      'Repeating the request with the same Idempotency-Key and items answers the same order (200, `Idempotent-Replayed: true`) and never places a second one: after a timeout (504) or a lost answer, repeat it with the same key. The same key with other items is a 422.',
  })
  @ApiIdempotencyKey("Unique per order (e.g. a UUID): 8-128 letters, digits, '-', '_', '.' or ':'. Remembered for 24 hours.")
  @ApiCreatedResponse({ type: PartnerOrderDto, description: 'The order was placed.', headers: { Location: ORDER_LOCATION } })
  @ApiOkResponse({
    type: PartnerOrderDto,
    description: 'Replay: this Idempotency-Key already placed this order; nothing new was placed.',
    headers: {
      'Idempotent-Replayed': { description: 'Always "true" on a replay.', required: true, schema: { type: 'string', enum: ['true'] } },
      Location: ORDER_LOCATION,
    },
  })
  @ApiProblemResponses(401, 403, 413, 415, 422, 429, 502, 503, 504)
  async place(
    @CurrentUser() partner: Identity,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: PlaceOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartnerOrderDto> {
    const { order, replayed } = await this.orders.place(partner, idempotencyKey, body);
    void reply.status(replayed ? 200 : 201).header('location', `/v1/orders/${order.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return order;
  }

  @Get(':id')
  @Protected('api-key', ['orders:read'])
  @ApiOperation({ summary: "One order of the calling partner's account (its status included); another account's order is a 404." })
  @ApiOkResponse({ type: PartnerOrderDto })
  @ApiProblemResponses(401, 403, 404, 429, 502, 503, 504)
  get(@CurrentUser() partner: Identity, @Param() params: OrderIdParams): Promise<PartnerOrderDto> {
    return this.orders.get(partner, params.id);
  }
}
