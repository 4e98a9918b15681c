import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Cached } from '@bff/cache';
import { ApiProblemResponses, Public } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { ListingPageDto, ListingQuery } from './listing-page.dto.js';
import { ListingPageService } from './listing-page.service.js';

@ApiTags('pages')
@Controller('api/v1/pages')
export class ListingPageController {
  constructor(private readonly listings: ListingPageService) {}

  @Get('listing')
  @Public('Search and category listings are public catalogue content')
  // The same page for everyone: shared, keyed by the four listing parameters. Searches spread over many keys,
  // so the TTL is short; unknown parameters bypass the cache so validation still rejects them.
  @Cached({
    ttl: 10,
    staleWhileRevalidate: 30,
    staleIfError: 120,
    varyBy: ['accept-language'],
    query: ['q', 'category', 'cursor', 'limit'],
    undeclaredQuery: 'bypass',
    tags: ['catalog:listing'],
  })
  @ApiOperation({
    summary: 'Listing page: search (q) and/or category browse, cursor-paginated, items as cards, in one call.',
    description:
      'The catalog page (and the category, when browsing one) is required: an unknown category is a 404 and a cursor the ' +
      'catalog did not issue a 400 `invalid-cursor`. Prices and stock come from two bulk calls for the whole page and ' +
      'degrade separately (`items-price`, `items-stock`: every item has `price` / `inStock` null), listed in meta.degraded ' +
      'and in the X-Degraded-Sections header.',
  })
  @ApiOkResponse({ type: ListingPageDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(400, 404, 502, 503, 504)
  async get(@Query() query: ListingQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<ListingPageDto> {
    const page = await this.listings.get(query);
    void reply.headers(sectionHeaders(page.meta));
    return page;
  }
}
