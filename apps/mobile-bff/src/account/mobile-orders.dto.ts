import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

import { RESOURCE_ID_PATTERN } from '@bff/core';
import { ORDER_CURSOR_PATTERN } from '@bff/retail';

export const MOBILE_ORDER_PAGE = 10;
export const MOBILE_ORDER_PAGE_MAX = 30;
const LIMIT_MESSAGE = `limit must be an integer between 1 and ${MOBILE_ORDER_PAGE_MAX}`;

const STATUSES = ['created', 'paid', 'shipped', 'delivered', 'cancelled'];

/** A row of the order history list: no lines, just what the row shows. */
export class MobileOrderSummaryDto {
  @ApiProperty({ example: 'o-000001' }) id: string;
  @ApiProperty({ enum: STATUSES }) status: string;
  @ApiProperty({ description: 'Total charged, minor units.', example: 3998 }) totalAmount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ description: 'Units over every line.', example: 3 }) itemCount: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MobileOrderLineDto {
  @ApiProperty({ example: 'p-00001' }) productId: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 2 }) quantity: number;
  @ApiProperty({ description: 'Unit price charged, minor units.', example: 1999 }) unitAmount: number;
  @ApiProperty({ description: 'unitAmount × quantity, minor units.', example: 3998 }) lineAmount: number;
}

/** One order (detail screen, and the checkout's answer). */
export class MobileOrderDto extends MobileOrderSummaryDto {
  @ApiProperty({ type: [MobileOrderLineDto] }) lines: MobileOrderLineDto[];
}

export class MobileOrderListDto {
  @ApiProperty({ type: [MobileOrderSummaryDto], description: 'Newest first.' }) items: MobileOrderSummaryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next (older) page; null on the last page.' })
  nextCursor: string | null;
}

export class MobileOrderListQuery {
  @ApiPropertyOptional({
    description: 'The previous page’s nextCursor; the page starts after it.',
    pattern: ORDER_CURSOR_PATTERN.source,
    example: '1767225600000.o-000001',
  })
  @IsOptional()
  @Matches(ORDER_CURSOR_PATTERN, { message: 'cursor must be a nextCursor returned by the previous page' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MOBILE_ORDER_PAGE_MAX, default: MOBILE_ORDER_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(MOBILE_ORDER_PAGE_MAX, { message: LIMIT_MESSAGE })
  limit?: number;
}

export class MobileOrderIdParams {
  @ApiProperty({ example: 'o-000001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'id must be 1-64 letters, digits, - or _' })
  id: string;
}
