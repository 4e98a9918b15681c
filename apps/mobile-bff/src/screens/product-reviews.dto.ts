import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

import { REVIEWS_MAX_LIMIT } from '@bff/retail';

const REVIEWS_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
export const REVIEWS_DEFAULT_LIMIT = 10;

export class ProductReviewsQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor.', pattern: REVIEWS_CURSOR_PATTERN.source })
  @IsOptional()
  @Matches(REVIEWS_CURSOR_PATTERN, { message: 'cursor must be an opaque token returned as nextCursor' })
  cursor?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: REVIEWS_MAX_LIMIT,
    default: REVIEWS_DEFAULT_LIMIT,
    description: 'Page size; with a cursor it must be omitted or equal to the size the cursor was issued for.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(REVIEWS_MAX_LIMIT)
  limit?: number;
}

/** A whole review (the detail screen sends excerpts). */
export class ProductReviewDto {
  @ApiProperty() id: string;
  @ApiProperty() author: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) rating: number;
  @ApiProperty() title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date', example: '2024-12-24', description: 'Day the review was written (UTC).' }) date: string;
}

/** One page of a product's reviews, newest first. */
export class ProductReviewsPageDto {
  @ApiProperty({ type: [ProductReviewDto] }) items: ProductReviewDto[];
  @ApiProperty({ description: 'Number of reviews of the product.' }) total: number;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page.' })
  nextCursor: string | null;
}
