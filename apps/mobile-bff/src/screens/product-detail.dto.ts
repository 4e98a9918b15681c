import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { CardPriceDto } from '../products/product-card.dto.js';
import { ScreenCardDto, ScreenMetaDto } from './screen.dto.js';

export const DETAIL_EXPANSIONS = ['description'] as const;

export class ProductDetailQuery {
  @ApiPropertyOptional({ enum: DETAIL_EXPANSIONS, description: 'Also send the long product description (left out by default).' })
  @IsOptional()
  @IsIn(DETAIL_EXPANSIONS, { message: 'expand must be one of: description' })
  expand?: (typeof DETAIL_EXPANSIONS)[number];
}

export class DetailProductDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() brand: string;
  @ApiProperty() categoryId: string;
  @ApiProperty({ format: 'uri', description: 'Thumbnail image URL.' }) thumbnail: string;
  @ApiProperty({ type: [String], description: 'Image URLs, in gallery order (the app requests the size it needs).' })
  images: string[];
  @ApiPropertyOptional({ description: 'Long description; only with `?expand=description`.' }) description?: string;
}

export class DetailRatingDto {
  @ApiProperty({ example: 4.3, description: 'Average rating, 1 decimal.' }) average: number;
  @ApiProperty() count: number;
}

export class DetailReviewDto {
  @ApiProperty() id: string;
  @ApiProperty() author: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) rating: number;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DetailReviewsDto {
  @ApiProperty({ type: [DetailReviewDto], description: 'The 3 newest reviews.' }) items: DetailReviewDto[];
  @ApiProperty({ description: 'Number of reviews of the product.' }) total: number;
}

/** The mobile product detail screen in one round trip: the web product page cut to a phone screen. */
export class ProductDetailDto {
  @ApiProperty({ type: DetailProductDto }) product: DetailProductDto;
  @ApiProperty({ type: CardPriceDto, nullable: true }) price: CardPriceDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null when availability is unknown or inventory is degraded.' })
  inStock: boolean | null;
  @ApiProperty({ type: DetailRatingDto, nullable: true }) rating: DetailRatingDto | null;
  @ApiProperty({ type: DetailReviewsDto, nullable: true, description: 'First reviews.' }) reviews: DetailReviewsDto | null;
  @ApiProperty({
    type: [ScreenCardDto],
    nullable: true,
    description: 'Related products as cards (their price and stock degrade as recommendations-price / recommendations-stock).',
  })
  recommendations: ScreenCardDto[] | null;
  @ApiProperty({ type: ScreenMetaDto }) meta: ScreenMetaDto;
}
