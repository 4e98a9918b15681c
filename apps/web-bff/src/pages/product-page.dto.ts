import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DegradedSectionDto } from '@bff/core';

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

export class PageRecommendationDto {
  @ApiProperty() productId: string;
  @ApiProperty() score: number;
}

export class PageMetaDto {
  @ApiProperty({ type: [DegradedSectionDto], description: 'Optional sections that are null because their upstream failed.' })
  degraded: DegradedSectionDto[];
  @ApiPropertyOptional({ type: [DegradedSectionDto], description: 'Sections served from their last good value.' })
  stale?: DegradedSectionDto[];
}

/** Everything the SPA's product page renders, in one round trip. */
export class ProductPageDto {
  @ApiProperty({ type: PageProductDto }) product: PageProductDto;
  @ApiProperty({ type: PagePriceDto, nullable: true }) price: PagePriceDto | null;
  @ApiProperty({ type: PageAvailabilityDto, nullable: true }) availability: PageAvailabilityDto | null;
  @ApiProperty({ type: PageRatingDto, nullable: true }) rating: PageRatingDto | null;
  @ApiProperty({ type: PageReviewsDto, nullable: true, description: 'First page of reviews.' }) reviews: PageReviewsDto | null;
  @ApiProperty({ type: [PageRecommendationDto], nullable: true, description: 'Related products from the same category.' })
  recommendations: PageRecommendationDto[] | null;
  @ApiProperty({ type: PageMetaDto }) meta: PageMetaDto;
}
