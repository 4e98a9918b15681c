import { Controller, Get, Param } from '@nestjs/common';

import { ProductIdParams } from './product-id.dto.js';
import { ProductPageService } from './product-page.service.js';

@Controller('api/v1/pages')
export class ProductPageController {
  constructor(private readonly pages: ProductPageService) {}

  @Get('product/:id')
  get(@Param() params: ProductIdParams) {
    return this.pages.get(params.id);
  }
}
