import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DegradedSectionDto } from '@bff/core';

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

export class ScreenMetaDto {
  @ApiProperty({ type: [DegradedSectionDto], description: 'Optional sections that are null because their upstream failed.' })
  degraded: DegradedSectionDto[];
  @ApiPropertyOptional({ type: [DegradedSectionDto], description: 'Sections served from their last good value.' })
  stale?: DegradedSectionDto[];
}
