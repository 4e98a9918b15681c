import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { ScreenMetaDto } from './screen.dto.js';

export const DETAIL_EXPANSIONS = ['description'] as const;

export class ProductDetailQuery {
  @ApiPropertyOptional({ enum: DETAIL_EXPANSIONS, description: 'Also send the long product description (left out by default).' })
  @IsOptional()
  @IsIn(DETAIL_EXPANSIONS, { message: 'expand must be one of: description' })
  expand?: (typeof DETAIL_EXPANSIONS)[number];
}

const IMAGE_REF =
  'An image reference (RFC 3986): relative to `imageBase` unless it is an absolute URL; resolve it with `new URL(ref, imageBase)`.';

export class DetailProductDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() brand: string;
  @ApiProperty({ type: [String], description: `The gallery, in order. ${IMAGE_REF}`, example: ['p-00001/1.jpg'] })
  images: string[];
  @ApiPropertyOptional({ description: 'Long description; only with `?expand=description`.' }) description?: string;
}

export class DetailRatingDto {
  @ApiProperty({ example: 4.3, description: 'Average rating, 1 decimal.' }) average: number;
  @ApiProperty() count: number;
}

export const REVIEW_EXCERPT_MAX = 48;

export class DetailReviewDto {
  @ApiProperty() author: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) rating: number;
  @ApiProperty() title: string;
  @ApiProperty({
    maxLength: REVIEW_EXCERPT_MAX,
    description: `The review's text, cut at a word boundary to at most ${REVIEW_EXCERPT_MAX} characters ending in "…" when longer; the whole review is on GET /api/v1/products/{id}/reviews.`,
  })
  excerpt: string;
  @ApiProperty({ format: 'date', example: '2024-12-24', description: 'Day the review was written (UTC).' }) date: string;
}

export class DetailReviewsDto {
  @ApiProperty({ type: [DetailReviewDto], description: 'Excerpts of the 2 newest reviews.' }) items: DetailReviewDto[];
  @ApiProperty({ description: 'Number of reviews of the product (more than `items` when there are more to page through).' })
  total: number;
}

/** A related product on the detail screen: what its carousel shows. */
export class DetailCardDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: `Thumbnail. ${IMAGE_REF}`, example: 'p-00001/thumb.jpg' }) thumbnail: string;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 1999,
    description: "Price to pay in minor units of `currency` (the card's own, else the answer's); null when unknown or pricing is degraded.",
  })
  price: number | null;
  @ApiPropertyOptional({ example: 'USD', description: 'Only when this card is priced in another currency than the answer.' })
  currency?: string;
}

/** The mobile product detail screen in one round trip: the web product page cut to a phone screen. */
export class ProductDetailDto {
  @ApiPropertyOptional({
    format: 'uri',
    example: 'https://img.sandbox.local/products/',
    description:
      'Base URL of the image references in this answer (the common prefix of its image URLs, sent once); absent when they share none.',
  })
  imageBase?: string;
  @ApiPropertyOptional({
    example: 'EUR',
    description: 'Currency of every amount in this answer (ISO 4217); absent when nothing is priced.',
  })
  currency?: string;
  @ApiProperty({ type: DetailProductDto }) product: DetailProductDto;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 40499,
    description: 'Price to pay in minor units of `currency`; null when the product has no price or pricing is degraded.',
  })
  price: number | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null when availability is unknown or inventory is degraded.' })
  inStock: boolean | null;
  @ApiProperty({ type: DetailRatingDto, nullable: true }) rating: DetailRatingDto | null;
  @ApiProperty({ type: DetailReviewsDto, nullable: true, description: 'First reviews, as excerpts.' }) reviews: DetailReviewsDto | null;
  @ApiProperty({
    type: [DetailCardDto],
    nullable: true,
    description: 'Related products as cards (their prices degrade as recommendations-price).',
  })
  recommendations: DetailCardDto[] | null;
  @ApiProperty({ type: ScreenMetaDto }) meta: ScreenMetaDto;
}
