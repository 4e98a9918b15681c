import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Cached } from '@bff/cache';
import { ApiProblemResponses, Public } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { HomePageDto } from './home-page.dto.js';
import { HomePageService } from './home-page.service.js';

@ApiTags('pages')
@Controller('api/v1/pages')
export class HomePageController {
  constructor(private readonly home: HomePageService) {}

  @Get('home')
  @Public('The home page is public catalogue content')
  // One page for everyone, the most requested one: shared by every caller and instance, refreshed in the
  // background; the last good page survives upstream outages. Invalidate with the tag home.
  @Cached({ ttl: 30, staleWhileRevalidate: 60, staleIfError: 600, varyBy: ['accept-language'], tags: ['home'] })
  @ApiOperation({
    summary: 'Home page: category tree and featured products as cards, in one call.',
    description:
      'The category tree is required (its failure is the answer, unless its last good value can be served stale). ' +
      'Featured products are optional (null when the catalog cannot list them); their prices and stock degrade ' +
      'separately (`featured-price`, `featured-stock`: every card has `price` / `inStock` null). Degraded sections are ' +
      'listed in meta.degraded and in the X-Degraded-Sections header.',
  })
  @ApiOkResponse({ type: HomePageDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(502, 503, 504)
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<HomePageDto> {
    const page = await this.home.get();
    void reply.headers(sectionHeaders(page.meta));
    return page;
  }
}
