import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiDpopProof } from '@bff/auth';
import { Cached } from '@bff/cache';
import { ApiLanguageHeaders, ApiProblemResponses, IdListDto, ProductIdParams, Protected, setLanguageHeaders } from '@bff/core';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { ProductCardDto, ProductCardListDto } from './product-card.dto.js';
import { ProductCardService } from './product-card.service.js';

@ApiTags('products')
@ApiDpopProof()
@Controller('api/v1/products')
export class ProductCardController {
  constructor(private readonly cards: ProductCardService) {}

  @Get(':id')
  @Protected('jwt', ['catalog:read'])
  // Catalogue content, the same for every signed-in caller: one shared entry (private toward clients), ETag/304.
  @Cached({
    ttl: 5,
    staleWhileRevalidate: 30,
    staleIfError: 300,
    varyBy: ['accept-language'],
    tags: ['product:{id}'],
    sharedAcrossIdentities: true,
  })
  @ApiOperation({ summary: 'Compact product card: id, name, thumbnail, price, in stock, rating.' })
  @ApiOkResponse({ type: ProductCardDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(400, 401, 403, 404, 429, 502, 503, 504)
  async get(@Param() params: ProductIdParams, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProductCardDto> {
    const card = await this.cards.get(params.id);
    void reply.headers(sectionHeaders(card.meta));
    return card;
  }

  @Post('cards')
  @HttpCode(200)
  @Protected('jwt', ['catalog:read'])
  @ApiOperation({
    summary: 'Cards for up to 50 products (list screens), in one round trip. Ratings are left out to keep the payload small.',
  })
  @ApiOkResponse({ type: ProductCardListDto })
  @ApiSectionHeaders()
  @ApiLanguageHeaders()
  @ApiProblemResponses(401, 403, 413, 415, 429, 502, 503, 504)
  async list(@Body() body: IdListDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProductCardListDto> {
    const cards = await this.cards.list(body.ids);
    void reply.headers(sectionHeaders(cards.meta));
    setLanguageHeaders(reply);
    return cards;
  }
}
