import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsRFC3339,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

import { DegradedSectionDto, DegradedSectionOf } from '@bff/core';

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

const FeedDegradedSectionDto = DegradedSectionOf(['prices', 'stock'], { name: 'FeedDegradedSectionDto', enumName: 'FeedSection' });

export class FeedMetaDto {
  @ApiProperty({ type: [FeedDegradedSectionDto] }) degraded: DegradedSectionDto[];
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

/** `since` and `cursor` both say where to start: exactly one (or neither, for the beginning) is allowed. */
@ValidatorConstraint({ name: 'notWithCursor' })
class NotWithCursor implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return (args.object as CatalogChangesQuery).cursor === undefined;
  }

  defaultMessage(): string {
    return 'since cannot be combined with cursor (the cursor already holds the position)';
  }
}

export class CatalogChangesQuery {
  @ApiPropertyOptional({
    description: 'RFC 3339 date-time: products changed at or after it (first sync of a partner that has a copy as of that time).',
    format: 'date-time',
    example: '2024-06-01T00:00:00Z',
  })
  @IsOptional()
  @IsRFC3339({ message: 'since must be an RFC 3339 date-time, e.g. 2024-06-01T00:00:00Z' })
  @Validate(NotWithCursor)
  since?: string;

  @ApiPropertyOptional({ description: 'Opaque nextCursor of an earlier answer: resume after it.', pattern: CURSOR_PATTERN.source })
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

export class ChangeItemDto extends FeedItemDto {
  @ApiProperty({ format: 'date-time', description: 'When the product last changed; the feed is ordered by (updatedAt, id).' })
  updatedAt: string;
}

export class DeletedProductDto {
  @ApiProperty({ example: 'p-00042' }) id: string;
  @ApiProperty({ format: 'date-time', description: 'When the product was removed from the catalogue; its position in the feed.' })
  deletedAt: string;
}

export class CatalogChangesDto {
  @ApiProperty({ type: [ChangeItemDto], description: 'Changed products, oldest change first.' }) items: ChangeItemDto[];
  @ApiProperty({
    type: [DeletedProductDto],
    description:
      'Products removed from the catalogue within this page, oldest first: delete them from your copy. A product appears once, ' +
      'at its latest change: in `items` while it exists, here once it is gone. `limit` counts both lists.',
  })
  deleted: DeletedProductDto[];
  @ApiProperty({
    description:
      'Always present: the position after this page (or the requested one when the page is empty). Store it and pass it as cursor to continue or to poll for later changes.',
  })
  nextCursor: string;
  @ApiProperty({ description: 'More changes are waiting now; false when the partner is in sync.' }) hasMore: boolean;
  @ApiProperty({ type: FeedMetaDto }) meta: FeedMetaDto;
}
