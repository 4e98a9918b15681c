import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiDpopProof, CurrentUser } from '@bff/auth';
import { Cached } from '@bff/cache';
import { ApiProblemResponses, Protected, type Identity } from '@bff/core';
import { CustomerCarts, type CustomerCart } from '@bff/retail';
import { ApiSectionHeaders, sectionHeaders } from '@bff/upstream';

import { MobileAccountCache, toMobileCart } from './mobile-account.js';
import { AddMobileCartItemDto, MobileCartDto, MobileCartItemParams, UpdateMobileCartItemDto } from './mobile-cart.dto.js';

const WRITE_NOTE = 'Answers the whole updated cart, shaped like GET /api/v1/cart (never cached: `Cache-Control: no-store`).';

@ApiTags('cart')
@ApiDpopProof()
@Controller('api/v1/cart')
export class MobileCartController {
  constructor(
    private readonly carts: CustomerCarts,
    private readonly cache: MobileAccountCache,
  ) {}

  @Get()
  @Protected('jwt', ['cart:write'])
  // The caller's own cart: stored per user only (`private, no-cache`), forgotten by this app's writes; the ETag saves the body.
  // Not keyed by Accept-Language: forgetting an entry needs its exact key, and a language switch shows within the TTL.
  @Cached({ ttl: 5, scope: 'user' })
  @ApiOperation({
    summary: "The caller's cart: compact lines with name, thumbnail, current price and stock, unit count and an estimated subtotal.",
    description:
      'Price and stock are optional: when pricing or inventory fails they are null, listed in meta.degraded and X-Degraded-Sections ' +
      '(`cart-price`, `cart-stock`), and the subtotal is incomplete. Send the ETag back in If-None-Match to get a 304 when nothing changed. ' +
      'The upstream carts service is called with a token exchanged for the caller’s (RFC 8693); when the identity provider cannot exchange ' +
      'it the answer is 503 token-exchange-unavailable, or 401 token-exchange-refused when it refuses the caller’s token.',
  })
  @ApiOkResponse({ type: MobileCartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  async get(@CurrentUser() user: Identity, @Res({ passthrough: true }) reply: FastifyReply): Promise<MobileCartDto> {
    return this.answer(reply, await this.carts.view(user.subject));
  }

  @Post('items')
  @HttpCode(200)
  @Protected('jwt', ['cart:write'])
  @ApiOperation({
    summary: 'Adds a quantity of a product to the cart (added to the quantity already there, capped at 99).',
    description: `An unknown product is a 422 (unknown-product). ${WRITE_NOTE}`,
  })
  @ApiOkResponse({ type: MobileCartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 413, 415, 422, 429, 502, 503, 504)
  async add(
    @CurrentUser() user: Identity,
    @Body() body: AddMobileCartItemDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobileCartDto> {
    const cart = await this.carts.add(user.subject, body.productId, body.quantity);
    await this.cache.forgetCart(user);
    return this.answer(reply, cart);
  }

  @Patch('items/:productId')
  @Protected('jwt', ['cart:write'])
  @ApiOperation({
    summary: 'Sets the quantity of a cart line.',
    description: `A product that is not in the cart is a 404 (item-not-in-cart). ${WRITE_NOTE}`,
  })
  @ApiOkResponse({ type: MobileCartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 404, 413, 415, 429, 502, 503, 504)
  async update(
    @CurrentUser() user: Identity,
    @Param() params: MobileCartItemParams,
    @Body() body: UpdateMobileCartItemDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobileCartDto> {
    const cart = await this.carts.update(user.subject, params.productId, body.quantity);
    await this.cache.forgetCart(user);
    return this.answer(reply, cart);
  }

  @Delete('items/:productId')
  @Protected('jwt', ['cart:write'])
  @ApiOperation({
    summary: 'Removes a line from the cart (idempotent: removing a product that is not there answers the cart unchanged).',
    description: WRITE_NOTE,
  })
  @ApiOkResponse({ type: MobileCartDto })
  @ApiSectionHeaders()
  @ApiProblemResponses(401, 403, 429, 502, 503, 504)
  async remove(
    @CurrentUser() user: Identity,
    @Param() params: MobileCartItemParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MobileCartDto> {
    const cart = await this.carts.remove(user.subject, params.productId);
    await this.cache.forgetCart(user);
    return this.answer(reply, cart);
  }

  private answer(reply: FastifyReply, cart: CustomerCart): MobileCartDto {
    void reply.headers(sectionHeaders(cart.meta));
    return toMobileCart(cart);
  }
}
