import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

import { RESOURCE_ID_PATTERN } from '@bff/core';
import { ORDER_CURSOR_PATTERN } from '@bff/retail';

export const DEFAULT_ORDER_PAGE = 10;
export const MAX_ORDER_PAGE = 50;

export class OrderItemDto {
  @ApiProperty({ example: 'p-00001' }) productId: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 99 }) quantity: number;
  @ApiProperty({ description: 'Unit price charged, fixed when the order was placed; minor units.', example: 1999 }) unitAmount: number;
  @ApiProperty({ description: 'unitAmount × quantity, minor units.', example: 3998 }) lineAmount: number;
}

/** One order of the signed-in customer. */
export class OrderDto {
  @ApiProperty({ example: 'o-000001' }) id: string;
  @ApiProperty({ enum: ['created', 'paid', 'shipped', 'delivered', 'cancelled'] }) status: string;
  @ApiProperty({ type: [OrderItemDto] }) items: OrderItemDto[];
  @ApiProperty({ description: 'The total charged (not an estimate), minor units.', example: 3998 }) totalAmount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class OrderListDto {
  @ApiProperty({ type: [OrderDto], description: 'Newest first.' }) items: OrderDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor to get the next (older) page; null on the last page.' })
  nextCursor: string | null;
}

export class OrderListQuery {
  @ApiPropertyOptional({
    description: 'The previous page’s nextCursor (the position of its last order); the page starts after it.',
    pattern: ORDER_CURSOR_PATTERN.source,
    example: '1767225600000.o-000001',
  })
  @IsOptional()
  @Matches(ORDER_CURSOR_PATTERN, { message: 'cursor must be a nextCursor returned by the previous page' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ORDER_PAGE, default: DEFAULT_ORDER_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: `limit must be between 1 and ${MAX_ORDER_PAGE}` })
  @Max(MAX_ORDER_PAGE, { message: `limit must be between 1 and ${MAX_ORDER_PAGE}` })
  limit?: number;
}

export class OrderIdParams {
  @ApiProperty({ example: 'o-000001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'id must be 1-64 letters, digits, - or _' })
  id: string;
}
