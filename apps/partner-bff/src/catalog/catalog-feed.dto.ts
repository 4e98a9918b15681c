import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

import { DegradedSectionDto } from '@bff/core';

const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

export class CatalogFeedQuery {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor.', pattern: CURSOR_PATTERN.source })
  @IsOptional()
  @Matches(CURSOR_PATTERN, { message: 'cursor must be an opaque token returned as nextCursor' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(100)
  limit?: number;
}

export class FeedPriceDto {
  @ApiProperty({ description: 'Minor units.' }) amount: number;
  @ApiProperty() listAmount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
}

/** FeedPriceDto's fields, in response order (mapPrice). */
export const FEED_PRICE_FIELDS = ['amount', 'listAmount', 'currency'] as const satisfies readonly (keyof FeedPriceDto)[];

export class FeedAvailabilityDto {
  @ApiProperty() inStock: boolean;
  @ApiProperty() available: number;
}

/** FeedAvailabilityDto's fields, in response order (mapAvailability). */
export const FEED_AVAILABILITY_FIELDS = ['inStock', 'available'] as const satisfies readonly (keyof FeedAvailabilityDto)[];

export class FeedItemDto {
  @ApiProperty() id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() brand: string;
  @ApiProperty() categoryId: string;
  @ApiProperty({ type: FeedPriceDto, nullable: true }) price: FeedPriceDto | null;
  @ApiProperty({ type: FeedAvailabilityDto, nullable: true }) availability: FeedAvailabilityDto | null;
}

export class FeedMetaDto {
  @ApiProperty({ type: [DegradedSectionDto] }) degraded: DegradedSectionDto[];
}

export class CatalogFeedDto {
  @ApiProperty({ type: [FeedItemDto] }) items: FeedItemDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor to get the next page; null on the last page.' })
  nextCursor: string | null;
  @ApiProperty({ type: FeedMetaDto }) meta: FeedMetaDto;
}

export class CatalogLookupDto {
  @ApiProperty({ type: [FeedItemDto] }) items: FeedItemDto[];
  @ApiProperty({ type: [String], description: 'Requested ids that do not exist.' }) notFound: string[];
  @ApiProperty({ type: FeedMetaDto }) meta: FeedMetaDto;
}
