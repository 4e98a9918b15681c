import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

import { DegradedSectionDto, DegradedSectionOf } from '@bff/core';

import { ProductCardDto } from './product-card.dto.js';

export class ImageDto {
  @ApiProperty() url: string;
  @ApiProperty() alt: string;
}

export class PageProductDto {
  @ApiProperty({ example: 'p-00001' }) id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty() brand: string;
  @ApiProperty() categoryId: string;
  @ApiProperty({ type: [ImageDto] }) images: ImageDto[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) attributes: Record<string, string>;
}

export class PagePriceDto {
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ description: 'Price to pay, in minor units.', example: 1999 }) amount: number;
  @ApiProperty({ description: 'List price before discount, in minor units.', example: 2499 }) listAmount: number;
  @ApiProperty({ example: 20 }) discountPct: number;
}

/** PagePriceDto's fields, in response order (mapPrice). */
export const PAGE_PRICE_FIELDS = ['currency', 'amount', 'listAmount', 'discountPct'] as const satisfies readonly (keyof PagePriceDto)[];

export class PageAvailabilityDto {
  @ApiProperty() inStock: boolean;
  @ApiProperty({ description: 'Units that can be ordered now.' }) available: number;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) restockDate: string | null;
}

/** PageAvailabilityDto's fields, in response order (mapAvailability). */
export const PAGE_AVAILABILITY_FIELDS = ['inStock', 'available', 'restockDate'] as const satisfies readonly (keyof PageAvailabilityDto)[];

export class PageRatingDto {
  @ApiProperty({ example: 4.3 }) average: number;
  @ApiProperty() count: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { '1': 2, '2': 1, '3': 5, '4': 10, '5': 20 } })
  histogram: Record<string, number>;
}

export class PageReviewDto {
  @ApiProperty() id: string;
  @ApiProperty() author: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) rating: number;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PageReviewsDto {
  @ApiProperty({ type: [PageReviewDto] }) items: PageReviewDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

const REVIEWS_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

export class ReviewsQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor.', pattern: REVIEWS_CURSOR_PATTERN.source })
  @IsOptional()
  @Matches(REVIEWS_CURSOR_PATTERN, { message: 'cursor must be an opaque token returned as nextCursor' })
  cursor?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 50,
    default: 10,
    description: 'Page size; with a cursor it must be omitted or equal to the size the cursor was issued for.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(50)
  limit?: number;
}

/** One page of a product's reviews, newest first. */
export class ReviewsPageDto {
  @ApiProperty({ type: [PageReviewDto] }) items: PageReviewDto[];
  @ApiProperty({ description: 'Number of reviews of the product.' }) total: number;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page.' })
  nextCursor: string | null;
}

const ProductPageDegradedSectionDto = DegradedSectionOf(
  ['price', 'stock', 'rating', 'reviews', 'recommendations', 'recommendations-price', 'recommendations-stock'],
  { name: 'ProductPageDegradedSectionDto', enumName: 'ProductPageSection' },
);
const ProductPageStaleSectionDto = DegradedSectionOf(['product'], {
  name: 'ProductPageStaleSectionDto',
  enumName: 'ProductPageStaleSection',
});

export class ProductPageMetaDto {
  @ApiProperty({ type: [ProductPageDegradedSectionDto], description: 'Optional sections that are null because their upstream failed.' })
  degraded: DegradedSectionDto[];
  @ApiPropertyOptional({ type: [ProductPageStaleSectionDto], description: 'Sections served from their last good value.' })
  stale?: DegradedSectionDto[];
}

/** Everything the SPA's product page renders, in one round trip. */
export class ProductPageDto {
  @ApiProperty({ type: PageProductDto }) product: PageProductDto;
  @ApiProperty({ type: PagePriceDto, nullable: true }) price: PagePriceDto | null;
  @ApiProperty({ type: PageAvailabilityDto, nullable: true }) availability: PageAvailabilityDto | null;
  @ApiProperty({ type: PageRatingDto, nullable: true }) rating: PageRatingDto | null;
  @ApiProperty({ type: PageReviewsDto, nullable: true, description: 'First page of reviews.' }) reviews: PageReviewsDto | null;
  @ApiProperty({
    type: [ProductCardDto],
    nullable: true,
    description:
      'Related products from the same category, best first, as cards (their price and stock degrade as recommendations-price / recommendations-stock).',
  })
  recommendations: ProductCardDto[] | null;
  @ApiProperty({ type: ProductPageMetaDto }) meta: ProductPageMetaDto;
}
