import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiDpopProof } from '@bff/auth';
import { Cached } from '@bff/cache';
import { ApiProblemResponses, Protected } from '@bff/core';
import { CatalogScreens } from '@bff/retail';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { HomeScreenDto } from './home-screen.dto.js';
import { LISTING_DEFAULT_LIMIT, ListingScreenDto, ListingScreenQuery } from './listing-screen.dto.js';
import { toScreenCard } from './screen-cards.js';

const FEATURED_COUNT = 8;

@ApiTags('screens')
@ApiDpopProof()
@Controller('api/v1')
export class CatalogScreensController {
  constructor(private readonly screens: CatalogScreens) {}

  @Get('home')
  @Protected('jwt', ['catalog:read'])
  // Catalogue content, the same for every signed-in caller: one shared entry (private toward clients), ETag/304.
  @Cached({
    ttl: 30,
    staleWhileRevalidate: 60,
    staleIfError: 600,
    varyBy: ['accept-language'],
    tags: ['home'],
    sharedAcrossIdentities: true,
  })
  @ApiOperation({
    summary: 'Home screen: category tree and featured products as cards, in one call.',
    description:
      'The category tree is required (its failure is the answer, unless its last good value can be served stale). ' +
      'Featured products are optional (null when the catalog cannot list them); their prices and stock degrade separately ' +
      '(`featured-price`, `featured-stock`). Degraded sections are listed in meta.degraded and in the X-Degraded-Sections header. ' +
      'Send the ETag back in If-None-Match to get a 304 when nothing changed.',
  })
  @ApiOkResponse({ type: HomeScreenDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  async home(@Res({ passthrough: true }) reply: FastifyReply): Promise<HomeScreenDto> {
    const { categories, featured, degraded, stale } = await this.screens.home(FEATURED_COUNT);
    const meta = stale.length ? { degraded, stale } : { degraded };
    void reply.headers(sectionHeaders(meta));
    return { categories, featured: featured && featured.map(toScreenCard), meta };
  }

  @Get('listing')
  @Protected('jwt', ['catalog:read'])
  // Keyed by the four listing parameters; unknown parameters bypass the cache so validation still rejects them.
  @Cached({
    ttl: 10,
    staleWhileRevalidate: 30,
    staleIfError: 120,
    varyBy: ['accept-language'],
    query: ['q', 'category', 'cursor', 'limit'],
    undeclaredQuery: 'bypass',
    tags: ['catalog:listing'],
    sharedAcrossIdentities: true,
  })
  @ApiOperation({
    summary: 'Listing screen: search (q) and/or category browse, cursor-paginated, items as cards, in one call.',
    description:
      'The catalog page (and the category, when browsing one) is required: an unknown category is a 404 and a cursor the ' +
      'catalog did not issue a 400 `invalid-cursor`. Prices and stock come from two bulk calls for the whole page and degrade ' +
      'separately (`items-price`, `items-stock`), listed in meta.degraded and in the X-Degraded-Sections header. ' +
      'Send the ETag back in If-None-Match to get a 304 when nothing changed.',
  })
  @ApiOkResponse({ type: ListingScreenDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(400, 401, 403, 404, 429, 502, 503, 504)
  async listing(@Query() query: ListingScreenQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<ListingScreenDto> {
    const page = await this.screens.listing({ ...query, limit: query.limit ?? LISTING_DEFAULT_LIMIT });
    const meta = { degraded: page.degraded };
    void reply.headers(sectionHeaders(meta));
    return {
      category: page.category && { id: page.category.id, name: page.category.name, parentId: page.category.parentId },
      items: page.cards.map(toScreenCard),
      total: page.total,
      nextCursor: page.nextCursor,
      meta,
    };
  }
}
