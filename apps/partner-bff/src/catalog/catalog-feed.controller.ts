import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, IdListDto, Protected } from '@bff/core';
import { Cached } from '@bff/cache';
import { CatalogFeedDto, CatalogFeedQuery, CatalogLookupDto } from './catalog-feed.dto.js';
import { CatalogFeedService } from './catalog-feed.service.js';

@ApiTags('catalog')
@Controller('v1/catalog')
export class CatalogFeedController {
  constructor(private readonly feed: CatalogFeedService) {}

  @Get()
  @Protected('api-key', ['catalog:read'])
  // Keyed by the verified partner: partners may see partner-specific data, so never shared between them.
  // Unknown query parameters bypass the cache so validation still rejects them.
  @Cached({
    scope: 'partner',
    ttl: 10,
    staleWhileRevalidate: 20,
    staleIfError: 120,
    query: ['cursor', 'limit'],
    undeclaredQuery: 'bypass',
    tags: ['catalog:feed'],
  })
  @ApiOperation({ summary: 'Paged catalogue feed with prices and availability, cursor-based.' })
  @ApiOkResponse({ type: CatalogFeedDto })
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  list(@Query() query: CatalogFeedQuery): Promise<CatalogFeedDto> {
    return this.feed.page(query);
  }

  @Post('lookup')
  @HttpCode(200)
  @Protected('api-key', ['catalog:read'])
  @ApiOperation({ summary: 'Feed entries for up to 50 known product ids.' })
  @ApiOkResponse({ type: CatalogLookupDto })
  @ApiProblemResponses(401, 403, 413, 415, 429, 502, 503, 504)
  lookup(@Body() body: IdListDto): Promise<CatalogLookupDto> {
    return this.feed.lookup(body.ids);
  }
}
