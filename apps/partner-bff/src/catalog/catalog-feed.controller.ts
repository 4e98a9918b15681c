import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, IdListDto, Public } from '@bff/core';
import { CatalogFeedDto, CatalogFeedQuery, CatalogLookupDto } from './catalog-feed.dto.js';
import { CatalogFeedService } from './catalog-feed.service.js';

@ApiTags('catalog')
@Controller('v1/catalog')
export class CatalogFeedController {
  constructor(private readonly feed: CatalogFeedService) {}

  @Get()
  @Public('Catalogue feed; becomes API-key protected with libs/auth (issue: auth and offloading)')
  @ApiOperation({ summary: 'Paged catalogue feed with prices and availability, cursor-based.' })
  @ApiOkResponse({ type: CatalogFeedDto })
  @ApiProblemResponses(502, 503, 504)
  list(@Query() query: CatalogFeedQuery): Promise<CatalogFeedDto> {
    return this.feed.page(query);
  }

  @Post('lookup')
  @HttpCode(200)
  @Public('Catalogue lookup; becomes API-key protected with libs/auth (issue: auth and offloading)')
  @ApiOperation({ summary: 'Feed entries for up to 50 known product ids.' })
  @ApiOkResponse({ type: CatalogLookupDto })
  @ApiProblemResponses(413, 415, 502, 503, 504)
  lookup(@Body() body: IdListDto): Promise<CatalogLookupDto> {
    return this.feed.lookup(body.ids);
  }
}
