import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

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
