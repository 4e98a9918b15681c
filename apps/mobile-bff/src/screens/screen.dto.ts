import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DegradedSectionDto, DegradedSectionOf } from '@bff/core';

import { CardPriceDto } from '../products/product-card.dto.js';

/** A product in a mobile list (home, listing, recommendations): the web card without list price and discount. */
export class ScreenCardDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uri', description: 'Thumbnail image URL.' }) thumbnail: string;
  @ApiProperty({ type: CardPriceDto, nullable: true, description: 'Null when the product has no price or pricing is degraded.' })
  price: CardPriceDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Null when the product has no stock record or inventory is degraded.' })
  inStock: boolean | null;
}

// Shared by the home, listing and product-detail screens: the union of their sections.
const ScreenDegradedSectionDto = DegradedSectionOf(
  [
    'featured',
    'featured-price',
    'featured-stock',
    'items-price',
    'items-stock',
    'price',
    'stock',
    'rating',
    'reviews',
    'recommendations',
    'recommendations-price',
    'recommendations-stock',
  ],
  { name: 'ScreenDegradedSectionDto', enumName: 'ScreenSection' },
);
const ScreenStaleSectionDto = DegradedSectionOf(['categories', 'product'], {
  name: 'ScreenStaleSectionDto',
  enumName: 'ScreenStaleSection',
});

export class ScreenMetaDto {
  @ApiProperty({ type: [ScreenDegradedSectionDto], description: 'Optional sections that are null because their upstream failed.' })
  degraded: DegradedSectionDto[];
  @ApiPropertyOptional({ type: [ScreenStaleSectionDto], description: 'Sections served from their last good value.' })
  stale?: DegradedSectionDto[];
}
