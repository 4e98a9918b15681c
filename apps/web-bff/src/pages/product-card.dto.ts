import { ApiProperty } from '@nestjs/swagger';

export class CardPriceDto {
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ description: 'Price to pay, in minor units.', example: 1999 }) amount: number;
  @ApiProperty({ description: 'List price before discount, in minor units.', example: 2499 }) listAmount: number;
  @ApiProperty({ example: 20 }) discountPct: number;
}

/** A product as the SPA's list screens (home, listing, recommendations) show it; built by ProductCards. */
export class ProductCardDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'uri' }) thumbnail: string;
  @ApiProperty({ type: CardPriceDto, nullable: true, description: 'Null when the product has no price or pricing is degraded.' })
  price: CardPriceDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Null when the product has no stock record or inventory is degraded.' })
  inStock: boolean | null;
}
