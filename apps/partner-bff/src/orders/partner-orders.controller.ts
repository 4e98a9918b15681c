import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentUser } from '@bff/auth';
import { ApiProblemResponses, Protected, type Identity } from '@bff/core';

import { OrderIdParams, PartnerOrderDto, PartnerOrderListDto } from './partner-orders.dto.js';
import { PartnerOrdersService } from './partner-orders.service.js';

@ApiTags('orders')
@Controller('v1/orders')
@Protected('api-key', ['orders:read'])
export class PartnerOrdersController {
  constructor(private readonly orders: PartnerOrdersService) {}

  @Get()
  @ApiOperation({ summary: "The orders of the calling partner's customer account, newest first." })
  @ApiOkResponse({ type: PartnerOrderListDto })
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  list(@CurrentUser() partner: Identity): Promise<PartnerOrderListDto> {
    return this.orders.list(partner);
  }

  @Get(':id')
  @ApiOperation({ summary: "One order of the calling partner's account; another account's order is a 404." })
  @ApiOkResponse({ type: PartnerOrderDto })
  @ApiProblemResponses(401, 403, 404, 429, 502, 503, 504)
  get(@CurrentUser() partner: Identity, @Param() params: OrderIdParams): Promise<PartnerOrderDto> {
    return this.orders.get(partner, params.id);
  }
}
