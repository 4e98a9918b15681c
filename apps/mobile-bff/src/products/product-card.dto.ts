import { ApiProperty } from '@nestjs/swagger';

import { DegradedSectionDto, DegradedSectionOf } from '@bff/core';

export class CardPriceDto {
  @ApiProperty({ description: 'Minor units.', example: 1999 }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
}

/** CardPriceDto's fields, in response order (mapPrice). */
export const CARD_PRICE_FIELDS = ['amount', 'currency'] as const satisfies readonly (keyof CardPriceDto)[];

// One card degrades price / stock / rating; a card list's bulk reads degrade as prices / stock.
const CardDegradedSectionDto = DegradedSectionOf(['price', 'prices', 'stock', 'rating'], {
  name: 'CardDegradedSectionDto',
  enumName: 'CardSection',
});

export class CardMetaDto {
  @ApiProperty({ type: [CardDegradedSectionDto] }) degraded: DegradedSectionDto[];
}

/** A compact product card for list and detail headers on mobile. */
export class ProductCardDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Thumbnail image URL.' }) thumbnail: string;
  @ApiProperty({ type: CardPriceDto, nullable: true }) price: CardPriceDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null when availability is unknown.' }) inStock: boolean | null;
  @ApiProperty({ type: Number, nullable: true, example: 4.3, description: 'Average rating, 1 decimal.' }) rating: number | null;
  @ApiProperty({ type: CardMetaDto }) meta: CardMetaDto;
}

/** Cards for a list screen, fetched in one round trip. */
export class ProductCardListDto {
  @ApiProperty({ type: [ProductCardDto], description: 'Cards in the order requested; unknown ids are skipped.' })
  items: ProductCardDto[];
  @ApiProperty({ type: [String], description: 'Requested ids that do not exist.' }) notFound: string[];
  @ApiProperty({ type: CardMetaDto }) meta: CardMetaDto;
}
