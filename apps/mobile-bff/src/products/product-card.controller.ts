import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, Public } from '@bff/core';
import { ProductCardDto, ProductIdParams } from './product-card.dto.js';
import { ProductCardService } from './product-card.service.js';

@ApiTags('products')
@Controller('api/v1/products')
export class ProductCardController {
  constructor(private readonly cards: ProductCardService) {}

  @Get(':id')
  @Public('Product cards are public catalogue content')
  @ApiOperation({ summary: 'Compact product card: id, name, thumbnail, price, in stock, rating.' })
  @ApiOkResponse({ type: ProductCardDto })
  @ApiProblemResponses(404, 502, 503, 504)
  get(@Param() params: ProductIdParams): Promise<ProductCardDto> {
    return this.cards.get(params.id);
  }
}
