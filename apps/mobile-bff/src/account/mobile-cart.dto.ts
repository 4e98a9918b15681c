import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';

import { DegradedSectionDto, DegradedSectionOf, RESOURCE_ID_PATTERN } from '@bff/core';
import { MAX_LINE_QUANTITY } from '@bff/retail';

import { CardPriceDto } from '../products/product-card.dto.js';

const QUANTITY_MESSAGE = `quantity must be an integer between 1 and ${MAX_LINE_QUANTITY}`;
const PRODUCT_ID_MESSAGE = 'productId must be 1-64 letters, digits, - or _';

/** One cart line as the cart screen shows it. */
export class MobileCartLineDto {
  @ApiProperty({ example: 'p-00001' }) productId: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null when the catalog no longer knows the product.' })
  name: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) thumbnail: string | null;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY, example: 2 }) quantity: number;
  @ApiProperty({ type: CardPriceDto, nullable: true, description: 'Current unit price; null when unknown (pricing degraded or no price).' })
  price: CardPriceDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Null when unknown (inventory degraded or no stock record).' })
  inStock: boolean | null;
  @ApiProperty({ type: Number, nullable: true, description: 'price.amount × quantity, minor units; null without a price.', example: 3998 })
  lineAmount: number | null;
}

export class MobileSubtotalDto {
  @ApiProperty({ description: 'Sum of the priced lines, minor units.', example: 3998 }) amount: number;
  @ApiProperty({ type: String, nullable: true, example: 'EUR', description: 'Null when no line has a price.' }) currency: string | null;
  @ApiProperty({ description: 'False when some line has no known price (not counted in `amount`).' }) complete: boolean;
}

/** The caller's cart, compact: lines, unit count and an estimated subtotal (the order fixes the final total). */
const MobileCartDegradedSectionDto = DegradedSectionOf(['cart-price', 'cart-stock'], {
  name: 'MobileCartDegradedSectionDto',
  enumName: 'MobileCartSection',
});

export class MobileCartMetaDto {
  @ApiProperty({ type: [MobileCartDegradedSectionDto], description: 'Optional enrichments that are null because their upstream failed.' })
  degraded: DegradedSectionDto[];
}

export class MobileCartDto {
  @ApiProperty({ type: [MobileCartLineDto], description: 'In the order the products were added.' }) lines: MobileCartLineDto[];
  @ApiProperty({ description: 'Total units over every line (the tab badge).', example: 3 }) itemCount: number;
  @ApiProperty({ type: MobileSubtotalDto, description: "Today's prices: an estimate; the order states the total charged." })
  subtotal: MobileSubtotalDto;
  @ApiProperty({
    type: MobileCartMetaDto,
    description: 'Degraded enrichments: cart-price (every price is null), cart-stock (every inStock is null).',
  })
  meta: MobileCartMetaDto;
}

export class AddMobileCartItemDto {
  @ApiProperty({ example: 'p-00001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: PRODUCT_ID_MESSAGE })
  productId: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LINE_QUANTITY,
    example: 1,
    description: `Added to the quantity already in the cart (capped at ${MAX_LINE_QUANTITY}).`,
  })
  @IsInt({ message: QUANTITY_MESSAGE })
  @Min(1, { message: QUANTITY_MESSAGE })
  @Max(MAX_LINE_QUANTITY, { message: QUANTITY_MESSAGE })
  quantity: number;
}

export class UpdateMobileCartItemDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LINE_QUANTITY,
    example: 3,
    description: 'The new quantity (remove with DELETE).',
  })
  @IsInt({ message: QUANTITY_MESSAGE })
  @Min(1, { message: QUANTITY_MESSAGE })
  @Max(MAX_LINE_QUANTITY, { message: QUANTITY_MESSAGE })
  quantity: number;
}

export class MobileCartItemParams {
  @ApiProperty({ example: 'p-00001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: PRODUCT_ID_MESSAGE })
  productId: string;
}
