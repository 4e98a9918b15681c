import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsInt, Matches, Max, Min, ValidateNested } from 'class-validator';

import { RESOURCE_ID_PATTERN } from '@bff/core';

export class OrderIdParams {
  @ApiProperty({ example: 'o-000001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'id must be 1-64 letters, digits, - or _' })
  id: string;
}

export class PartnerOrderItemDto {
  @ApiProperty({ example: 'p-00001' }) productId: string;
  @ApiProperty({ minimum: 1 }) quantity: number;
  @ApiProperty({ description: 'Unit price at order time, minor units.' }) unitAmount: number;
}

/** One order of the partner's account (the account id itself is implied by the API key). */
export class PartnerOrderDto {
  @ApiProperty({ example: 'o-000001' }) id: string;
  @ApiProperty({ enum: ['created', 'paid', 'shipped', 'delivered', 'cancelled'] }) status: string;
  @ApiProperty({ type: [PartnerOrderItemDto] }) items: PartnerOrderItemDto[];
  @ApiProperty({ description: 'Minor units.' }) totalAmount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PartnerOrderListDto {
  @ApiProperty({ type: [PartnerOrderDto], description: 'The partner account’s orders, newest first.' }) items: PartnerOrderDto[];
}

/** Most lines one order may have, and most units of one product per line (the orders service's limits). */
export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 99;

export class PlaceOrderItemDto {
  @ApiProperty({ example: 'p-00001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'productId must be 1-64 letters, digits, - or _' })
  productId: string;

  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY, example: 1 })
  @IsInt({ message: `quantity must be an integer between 1 and ${MAX_LINE_QUANTITY}` })
  @Min(1, { message: `quantity must be an integer between 1 and ${MAX_LINE_QUANTITY}` })
  @Max(MAX_LINE_QUANTITY, { message: `quantity must be an integer between 1 and ${MAX_LINE_QUANTITY}` })
  quantity: number;
}

/** An order for the partner's account (the account itself is implied by the API key). */
export class PlaceOrderDto {
  @ApiProperty({
    type: [PlaceOrderItemDto],
    minItems: 1,
    maxItems: MAX_ORDER_LINES,
    description: `1-${MAX_ORDER_LINES} lines, one per product (each product at most once).`,
  })
  @IsArray()
  @ArrayMinSize(1, { message: 'items must list at least one product' })
  @ArrayMaxSize(MAX_ORDER_LINES, { message: `items must list at most ${MAX_ORDER_LINES} products` })
  @ArrayUnique((item: PlaceOrderItemDto | undefined) => item?.productId, { message: 'items must name each product at most once' })
  @ValidateNested({ each: true })
  @Type(() => PlaceOrderItemDto)
  items: PlaceOrderItemDto[];
}
