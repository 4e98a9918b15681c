import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ApiDpopProof } from '@bff/auth';
import { Cached } from '@bff/cache';
import { ApiProblemResponses, ProductIdParams, Protected } from '@bff/core';

import { ProductDetailService } from './product-detail.service.js';
import { ProductReviewsPageDto, ProductReviewsQuery } from './product-reviews.dto.js';

@ApiTags('screens')
@ApiDpopProof()
@Controller('api/v1/products')
export class ProductReviewsController {
  constructor(private readonly details: ProductDetailService) {}

  @Get(':id/reviews')
  @Protected('jwt', ['catalog:read'])
  // The detail screen's "all reviews": the same for every signed-in caller, keyed by cursor and limit, invalidated
  // with the product. Unknown parameters bypass the cache so validation still rejects them.
  @Cached({
    ttl: 30,
    staleWhileRevalidate: 60,
    staleIfError: 300,
    query: ['cursor', 'limit'],
    undeclaredQuery: 'bypass',
    tags: ['product:{id}'],
    sharedAcrossIdentities: true,
  })
  @ApiOperation({
    summary: 'A product’s whole reviews, newest first, cursor-paginated (the detail screen shows excerpts of the first two).',
    description:
      'An unknown product is a 404; a cursor this API did not issue, or a limit other than the cursor’s, a 400 `invalid-cursor`. ' +
      'Send the ETag back in If-None-Match to get a 304 when nothing changed.',
  })
  @ApiOkResponse({ type: ProductReviewsPageDto })
  @ApiProblemResponses(400, 401, 403, 404, 429, 502, 503, 504)
  get(@Param() params: ProductIdParams, @Query() query: ProductReviewsQuery): Promise<ProductReviewsPageDto> {
    return this.details.reviewsPage(params.id, query);
  }
}
