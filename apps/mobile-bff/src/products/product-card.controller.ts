import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, IdListDto, ProductIdParams, Protected } from '@bff/core';
import { ProductCardDto, ProductCardListDto } from './product-card.dto.js';
import { ProductCardService } from './product-card.service.js';

@ApiTags('products')
@Controller('api/v1/products')
export class ProductCardController {
  constructor(private readonly cards: ProductCardService) {}

  @Get(':id')
  @Protected('jwt', ['catalog:read'])
  @ApiOperation({ summary: 'Compact product card: id, name, thumbnail, price, in stock, rating.' })
  @ApiOkResponse({ type: ProductCardDto })
  @ApiProblemResponses(401, 403, 404, 429, 502, 503, 504)
  get(@Param() params: ProductIdParams): Promise<ProductCardDto> {
    return this.cards.get(params.id);
  }

  @Post('cards')
  @HttpCode(200)
  @Protected('jwt', ['catalog:read'])
  @ApiOperation({
    summary: 'Cards for up to 50 products (list screens), in one round trip. Ratings are left out to keep the payload small.',
  })
  @ApiOkResponse({ type: ProductCardListDto })
  @ApiProblemResponses(401, 403, 413, 415, 429, 502, 503, 504)
  list(@Body() body: IdListDto): Promise<ProductCardListDto> {
    return this.cards.list(body.ids);
  }
}
