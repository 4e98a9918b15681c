import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Cached } from '@bff/cache';
import { ApiProblemResponses, ProductIdParams, Public } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { ProductPageDto } from './product-page.dto.js';
import { ProductPageService } from './product-page.service.js';

@ApiTags('pages')
@Controller('api/v1/pages')
export class ProductPageController {
  constructor(private readonly pages: ProductPageService) {}

  @Get('product/:id')
  @Public('Product pages are public catalogue content')
  // Same page for everyone: shared by every caller and instance, refreshed in the background, and the
  // last good page survives upstream outages. Invalidate with the tag product:<id>.
  @Cached({ ttl: 5, staleWhileRevalidate: 30, staleIfError: 300, varyBy: ['accept-language'], tags: ['product:{id}'] })
  @ApiOperation({
    summary: 'Product page: product, price, availability, rating, first reviews and recommendations in one call.',
    description:
      'The product is required (its failure is the answer). Every other section is optional: when its upstream fails it is null, ' +
      'listed in meta.degraded and in the X-Degraded-Sections header.',
  })
  @ApiOkResponse({ type: ProductPageDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(404, 502, 503, 504)
  async get(@Param() params: ProductIdParams, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProductPageDto> {
    const page = await this.pages.get(params.id);
    void reply.headers(sectionHeaders(page.meta));
    return page;
  }
}
