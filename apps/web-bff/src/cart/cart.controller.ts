import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { CurrentUser, SessionProtected } from '@bff/auth';
import { ApiProblemResponses, type Identity } from '@bff/core';
import { CustomerCarts } from '@bff/retail';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { AddCartItemDto, CartDto, CartItemParams, UpdateCartItemDto } from './cart.dto.js';

const WRITE_NOTE = 'Answers the whole updated cart, enriched like GET /api/v1/cart. Requires the session cookie and X-CSRF: 1.';

@ApiTags('cart')
@Controller('api/v1/cart')
export class CartController {
  constructor(private readonly cart: CustomerCarts) {}

  @Get()
  @SessionProtected(['cart:write'])
  @ApiOperation({
    summary: "The signed-in customer's cart: lines with name, thumbnail, current price and stock, and an estimated subtotal.",
    description:
      'Price and stock are optional enrichments: when pricing or inventory fails they are null, listed in meta.degraded and ' +
      'X-Degraded-Sections, and the subtotal is marked incomplete. Requires the session cookie and X-CSRF: 1.',
  })
  @ApiOkResponse({ type: CartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 502, 503, 504)
  async get(@CurrentUser() user: Identity, @Res({ passthrough: true }) reply: FastifyReply): Promise<CartDto> {
    const cart = await this.cart.view(user.subject);
    void reply.headers(sectionHeaders(cart.meta));
    return cart;
  }

  @Post('items')
  @HttpCode(200)
  @SessionProtected(['cart:write'])
  @ApiOperation({
    summary: 'Adds a quantity of a product to the cart (added to the quantity already there, capped at 99).',
    description: `An unknown product is a 422 (unknown-product). ${WRITE_NOTE}`,
  })
  @ApiOkResponse({ type: CartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 413, 415, 422, 502, 503, 504)
  async add(
    @CurrentUser() user: Identity,
    @Body() body: AddCartItemDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartDto> {
    const cart = await this.cart.add(user.subject, body.productId, body.quantity);
    void reply.headers(sectionHeaders(cart.meta));
    return cart;
  }

  @Patch('items/:productId')
  @SessionProtected(['cart:write'])
  @ApiOperation({
    summary: 'Sets the quantity of a cart line.',
    description: `A product that is not in the cart is a 404 (item-not-in-cart). ${WRITE_NOTE}`,
  })
  @ApiOkResponse({ type: CartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 404, 413, 415, 502, 503, 504)
  async update(
    @CurrentUser() user: Identity,
    @Param() params: CartItemParams,
    @Body() body: UpdateCartItemDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartDto> {
    const cart = await this.cart.update(user.subject, params.productId, body.quantity);
    void reply.headers(sectionHeaders(cart.meta));
    return cart;
  }

  @Delete('items/:productId')
  @SessionProtected(['cart:write'])
  @ApiOperation({
    summary: 'Removes a line from the cart (idempotent: removing a product that is not there answers the cart unchanged).',
    description: WRITE_NOTE,
  })
  @ApiOkResponse({ type: CartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 502, 503, 504)
  async remove(
    @CurrentUser() user: Identity,
    @Param() params: CartItemParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CartDto> {
    const cart = await this.cart.remove(user.subject, params.productId);
    void reply.headers(sectionHeaders(cart.meta));
    return cart;
  }
}
