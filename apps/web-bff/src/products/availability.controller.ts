import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiProblemResponses, IdListDto, Public } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { AvailabilityDto } from './availability.dto.js';
import { AvailabilityService } from './availability.service.js';

@ApiTags('products')
@Controller('api/v1/products')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Post('availability')
  @HttpCode(200)
  @Public('Prices and stock are public catalogue content')
  @ApiOperation({ summary: 'Live price and stock for up to 50 products (read-only lookup, POST for the id list).' })
  @ApiOkResponse({ type: AvailabilityDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(413, 415)
  async lookup(@Body() body: IdListDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<AvailabilityDto> {
    const availability = await this.availability.lookup(body.ids);
    void reply.headers(sectionHeaders(availability.meta));
    return availability;
  }
}
