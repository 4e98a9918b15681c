import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';

import { DegradedSectionDto, DegradedSectionOf, RESOURCE_ID_PATTERN } from '@bff/core';
import { MAX_LINE_QUANTITY } from '@bff/retail';

const QUANTITY_MESSAGE = `quantity must be an integer between 1 and ${MAX_LINE_QUANTITY}`;

export class CartPriceDto {
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ description: 'Current unit price, minor units.', example: 1999 }) amount: number;
  @ApiProperty({ description: 'Unit list price before discount, minor units.', example: 2499 }) listAmount: number;
  @ApiProperty({ example: 20 }) discountPct: number;
}

export class CartLineDto {
  @ApiProperty({ example: 'p-00001' }) productId: string;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY, example: 2 }) quantity: number;
  @ApiProperty({ type: String, nullable: true, description: 'Null when the catalog no longer knows the product.' })
  name: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uri' }) thumbnail: string | null;
  @ApiProperty({
    type: CartPriceDto,
    nullable: true,
    description: 'Current price (what the order would be placed at now); null when unknown (pricing degraded or no price).',
  })
  unitPrice: CartPriceDto | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Null when unknown (inventory degraded or no stock record).' })
  inStock: boolean | null;
  @ApiProperty({ type: Number, nullable: true, description: 'unitPrice.amount × quantity, minor units; null without a price.' })
  lineAmount: number | null;
}

export class EstimatedSubtotalDto {
  @ApiProperty({ description: 'Sum of the known line amounts, minor units.', example: 3998 }) amount: number;
  @ApiProperty({ type: String, nullable: true, example: 'EUR', description: 'Null when no line has a price.' }) currency: string | null;
  @ApiProperty({
    enum: [true],
    description: 'Always true: prices are fixed only when the order is placed (the order states its own total).',
  })
  estimate: true;
  @ApiProperty({ description: 'False when some line has no known price (not counted in `amount`).' }) complete: boolean;
  @ApiProperty({ type: [String], description: 'Products whose price is unknown, not counted in `amount`.', example: [] })
  unpricedProductIds: string[];
  @ApiProperty({ example: 'Estimated subtotal' }) label: string;
}

const CartDegradedSectionDto = DegradedSectionOf(['cart-price', 'cart-stock'], { name: 'CartDegradedSectionDto', enumName: 'CartSection' });

export class CartMetaDto {
  @ApiProperty({
    type: [CartDegradedSectionDto],
    description: 'Enrichments that failed: cart-price (every unitPrice is null), cart-stock (every inStock is null).',
  })
  degraded: DegradedSectionDto[];
}

/** The signed-in customer's cart, each line enriched with what the cart screen shows. */
export class CartDto {
  @ApiProperty({ type: [CartLineDto], description: 'In the order the products were added.' }) lines: CartLineDto[];
  @ApiProperty({ description: 'Total units over every line.', example: 3 }) itemCount: number;
  @ApiProperty({ type: EstimatedSubtotalDto }) estimatedSubtotal: EstimatedSubtotalDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null for a cart never used.' })
  updatedAt: string | null;
  @ApiProperty({ type: CartMetaDto }) meta: CartMetaDto;
}

export class AddCartItemDto {
  @ApiProperty({ example: 'p-00001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'productId must be 1-64 letters, digits, - or _' })
  productId: string;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LINE_QUANTITY,
    example: 1,
    description: 'Added to the quantity already in the cart (capped at 99).',
  })
  @IsInt({ message: QUANTITY_MESSAGE })
  @Min(1, { message: QUANTITY_MESSAGE })
  @Max(MAX_LINE_QUANTITY, { message: QUANTITY_MESSAGE })
  quantity: number;
}

export class UpdateCartItemDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_LINE_QUANTITY,
    example: 3,
    description: 'The new quantity (remove a line with DELETE).',
  })
  @IsInt({ message: QUANTITY_MESSAGE })
  @Min(1, { message: QUANTITY_MESSAGE })
  @Max(MAX_LINE_QUANTITY, { message: QUANTITY_MESSAGE })
  quantity: number;
}

export class CartItemParams {
  @ApiProperty({ example: 'p-00001', pattern: RESOURCE_ID_PATTERN.source, maxLength: 64 })
  @Matches(RESOURCE_ID_PATTERN, { message: 'productId must be 1-64 letters, digits, - or _' })
  productId: string;
}
