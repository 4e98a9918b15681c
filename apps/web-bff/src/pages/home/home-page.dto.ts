import { ApiProperty } from '@nestjs/swagger';

import { ProductCardDto } from '../product-card.dto.js';
import { PageMetaDto } from '../product-page.dto.js';

export class CategoryNodeDto {
  @ApiProperty({ example: 'cat-01' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: () => [CategoryNodeDto], description: 'Sub-categories, in catalogue order.' }) children: CategoryNodeDto[];
}

/** Everything the SPA's home page renders, in one round trip. */
export class HomePageDto {
  @ApiProperty({ type: [CategoryNodeDto], description: 'The category tree (top-level categories with their children).' })
  categories: CategoryNodeDto[];
  @ApiProperty({ type: [ProductCardDto], nullable: true, description: 'Featured products; null when merchandising is unavailable.' })
  featured: ProductCardDto[] | null;
  @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
}
