import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DegradedSectionDto, DegradedSectionOf } from '@bff/core';

import { ProductCardDto } from '../product-card.dto.js';

export class CategoryNodeDto {
  @ApiProperty({ example: 'cat-01' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: () => [CategoryNodeDto], description: 'Sub-categories, in catalogue order.' }) children: CategoryNodeDto[];
}

const HomePageDegradedSectionDto = DegradedSectionOf(['featured', 'featured-price', 'featured-stock'], {
  name: 'HomePageDegradedSectionDto',
  enumName: 'HomePageSection',
});
const HomePageStaleSectionDto = DegradedSectionOf(['categories'], { name: 'HomePageStaleSectionDto', enumName: 'HomePageStaleSection' });

export class HomePageMetaDto {
  @ApiProperty({ type: [HomePageDegradedSectionDto], description: 'Optional sections that are null because their upstream failed.' })
  degraded: DegradedSectionDto[];
  @ApiPropertyOptional({ type: [HomePageStaleSectionDto], description: 'Sections served from their last good value.' })
  stale?: DegradedSectionDto[];
}

/** Everything the SPA's home page renders, in one round trip. */
export class HomePageDto {
  @ApiProperty({ type: [CategoryNodeDto], description: 'The category tree (top-level categories with their children).' })
  categories: CategoryNodeDto[];
  @ApiProperty({ type: [ProductCardDto], nullable: true, description: 'Featured products; null when merchandising is unavailable.' })
  featured: ProductCardDto[] | null;
  @ApiProperty({ type: HomePageMetaDto }) meta: HomePageMetaDto;
}
