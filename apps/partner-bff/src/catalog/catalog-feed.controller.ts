import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Cached } from '@bff/cache';
import { ApiProblemResponses, IdListDto, Protected } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { CatalogChangesDto, CatalogChangesQuery, CatalogFeedDto, CatalogFeedQuery, CatalogLookupDto } from './catalog-feed.dto.js';
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
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  async list(@Query() query: CatalogFeedQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<CatalogFeedDto> {
    const page = await this.feed.page(query);
    void reply.headers(sectionHeaders(page.meta));
    return page;
  }

  @Get('changes')
  @Protected('api-key', ['catalog:read'])
  // Deliberately not @Cached (the access guard sends no-store): a partner polls the same tail cursor until something
  // changes, and a cached empty page would hide a change for a whole TTL.
  @ApiOperation({
    summary: 'Delta feed: products changed or deleted since a date or a cursor, with prices and availability.',
    description:
      'Ordered by (updatedAt, id). Start with no parameter (everything) or `since`, follow `nextCursor` while `hasMore`, ' +
      'then keep the last `nextCursor` and poll with it later. Products removed from the catalogue are listed in `deleted` ' +
      '(`{id, deletedAt}`) at the position of their deletion: delete them from your copy.',
  })
  @ApiOkResponse({ type: CatalogChangesDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  async changes(@Query() query: CatalogChangesQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<CatalogChangesDto> {
    const page = await this.feed.changes(query);
    void reply.headers(sectionHeaders(page.meta));
    return page;
  }

  @Post('lookup')
  @HttpCode(200)
  @Protected('api-key', ['catalog:read'])
  @ApiOperation({ summary: 'Feed entries for up to 50 known product ids.' })
  @ApiOkResponse({ type: CatalogLookupDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 413, 415, 429, 502, 503, 504)
  async lookup(@Body() body: IdListDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<CatalogLookupDto> {
    const entries = await this.feed.lookup(body.ids);
    void reply.headers(sectionHeaders(entries.meta));
    return entries;
  }
}
