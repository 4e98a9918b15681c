import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiDpopProof } from '@bff/auth';
import { Cached } from '@bff/cache';
import { ApiProblemResponses, ProductIdParams, Protected } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { ProductDetailDto, ProductDetailQuery } from './product-detail.dto.js';
import { ProductDetailService } from './product-detail.service.js';

@ApiTags('screens')
@ApiDpopProof()
@Controller('api/v1/products')
export class ProductDetailController {
  constructor(private readonly details: ProductDetailService) {}

  @Get(':id/detail')
  @Protected('jwt', ['catalog:read'])
  // Catalogue content, the same for every signed-in caller: one shared entry (private toward clients), ETag/304.
  @Cached({
    ttl: 5,
    staleWhileRevalidate: 30,
    staleIfError: 300,
    varyBy: ['accept-language'],
    query: ['expand'],
    undeclaredQuery: 'bypass',
    tags: ['product:{id}'],
    sharedAcrossIdentities: true,
  })
  @ApiOperation({
    summary: 'Product detail screen: product, price, in stock, rating, first 3 reviews and recommendations as cards, in one call.',
    description:
      'The product is required (its failure is the answer). Every other section is optional: when its upstream fails it is null, ' +
      'listed in meta.degraded and in the X-Degraded-Sections header. The long description is sent only with `?expand=description`. ' +
      'Send the ETag back in If-None-Match to get a 304 when nothing changed.',
  })
  @ApiOkResponse({ type: ProductDetailDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(400, 401, 403, 404, 429, 502, 503, 504)
  async get(
    @Param() params: ProductIdParams,
    @Query() query: ProductDetailQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductDetailDto> {
    const detail = await this.details.get(params.id, { description: query.expand === 'description' });
    void reply.headers(sectionHeaders(detail.meta));
    return detail;
  }
}
