import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Cached } from '@bff/cache';
import { ApiProblemResponses, ProductIdParams, Public } from '@bff/core';

import { ReviewsPageDto, ReviewsQuery } from './product-page.dto.js';
import { ProductPageService } from './product-page.service.js';

@ApiTags('pages')
@Controller('api/v1/products')
export class ProductReviewsController {
  constructor(private readonly pages: ProductPageService) {}

  @Get(':id/reviews')
  @Public('Reviews are public catalogue content')
  // The product page's "more reviews": the same for everyone, keyed by cursor and limit, invalidated with the
  // product (tag product:<id>). Unknown parameters bypass the cache so validation still rejects them.
  @Cached({
    ttl: 30,
    staleWhileRevalidate: 60,
    staleIfError: 300,
    query: ['cursor', 'limit'],
    undeclaredQuery: 'bypass',
    tags: ['product:{id}'],
  })
  @ApiOperation({
    summary: 'A product’s reviews, newest first, cursor-paginated (the product page shows the first five).',
    description:
      'An unknown product is a 404; a cursor this API did not issue, or a limit other than the cursor’s, a 400 `invalid-cursor`.',
  })
  @ApiOkResponse({ type: ReviewsPageDto })
  @ApiProblemResponses(400, 404, 502, 503, 504)
  get(@Param() params: ProductIdParams, @Query() query: ReviewsQuery): Promise<ReviewsPageDto> {
    return this.pages.reviewsPage(params.id, query);
  }
}
