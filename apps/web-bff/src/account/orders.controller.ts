import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentUser, SessionProtected } from '@bff/auth';
import { ApiProblemResponses, type Identity } from '@bff/core';

import { OrderDto, OrderIdParams, OrderListDto, OrderListQuery } from './orders.dto.js';
import { OrdersService } from './orders.service.js';

@ApiTags('account')
@Controller('api/v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @SessionProtected(['orders:read'])
  @ApiOperation({
    summary: "The signed-in customer's orders, newest first, one page at a time (cursor).",
    description: 'Requires the session cookie and X-CSRF: 1.',
  })
  @ApiOkResponse({ type: OrderListDto })
  @ApiProblemResponses(401, 403, 502, 503, 504)
  list(@CurrentUser() user: Identity, @Query() query: OrderListQuery): Promise<OrderListDto> {
    return this.orders.list(user.subject, query.cursor, query.limit);
  }

  @Get(':id')
  @SessionProtected(['orders:read'])
  @ApiOperation({
    summary: "One order of the signed-in customer; an unknown order or another customer's is a 404.",
    description: 'Requires the session cookie and X-CSRF: 1.',
  })
  @ApiOkResponse({ type: OrderDto })
  @ApiProblemResponses(401, 403, 404, 502, 503, 504)
  get(@CurrentUser() user: Identity, @Param() params: OrderIdParams): Promise<OrderDto> {
    return this.orders.get(user.subject, params.id);
  }
}
