import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

import { DegradedSectionDto, DegradedSectionOf, RESOURCE_ID_PATTERN } from '@bff/core';

import { ProductCardDto } from '../product-card.dto.js';

export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;
export const LISTING_MAX_LIMIT = 48;
export const LISTING_DEFAULT_LIMIT = 24;

export class ListingQuery {
  @ApiPropertyOptional({ description: 'Search: case-insensitive match on the product name.', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @MinLength(1, { message: 'q must not be blank' })
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({
    description: 'Browse a category (its sub-categories included).',
    example: 'cat-01',
    pattern: RESOURCE_ID_PATTERN.source,
  })
  @IsOptional()
  @Matches(RESOURCE_ID_PATTERN, { message: 'category must be 1-64 letters, digits, - or _' })
  category?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor.', pattern: CURSOR_PATTERN.source })
  @IsOptional()
  @Matches(CURSOR_PATTERN, { message: 'cursor must be an opaque token returned as nextCursor' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: LISTING_MAX_LIMIT, default: LISTING_DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(LISTING_MAX_LIMIT)
  limit?: number;
}

export class ListingCategoryDto {
  @ApiProperty({ example: 'cat-01' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) parentId: string | null;
}

const ListingPageDegradedSectionDto = DegradedSectionOf(['items-price', 'items-stock'], {
  name: 'ListingPageDegradedSectionDto',
  enumName: 'ListingPageSection',
});

export class ListingPageMetaDto {
  @ApiProperty({ type: [ListingPageDegradedSectionDto], description: 'Enrichments that failed: every item has `price` / `inStock` null.' })
  degraded: DegradedSectionDto[];
}

/** One page of a search or category listing, its items as cards. */
export class ListingPageDto {
  @ApiProperty({ type: ListingCategoryDto, nullable: true, description: 'The browsed category; null without `category`.' })
  category: ListingCategoryDto | null;
  @ApiProperty({ type: [ProductCardDto] }) items: ProductCardDto[];
  @ApiProperty({ description: 'Number of products matching the search and category.' }) total: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor (with the same q, category and limit) for the next page; null on the last page.',
  })
  nextCursor: string | null;
  @ApiProperty({ type: ListingPageMetaDto }) meta: ListingPageMetaDto;
}
