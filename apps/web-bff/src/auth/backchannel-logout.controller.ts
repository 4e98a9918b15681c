import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { AcceptsFormBody, BackchannelLogout, LOGOUT_MEDIA_TYPE, PublicServerToServer } from '@bff/auth';
import { ApiProblemResponses } from '@bff/core';

/** OpenID Connect Back-Channel Logout 1.0: the identity provider tells the BFF that a user's provider session ended. */
@ApiTags('auth')
@Controller('auth')
export class BackchannelLogoutController {
  constructor(private readonly logout: BackchannelLogout) {}

  @Post('backchannel-logout')
  @HttpCode(200)
  @PublicServerToServer('the identity provider calls it; the signed logout_token (iss, aud, jti once) is the authorization')
  @AcceptsFormBody()
  @ApiOperation({
    summary: 'Back-channel logout (called by the identity provider, not by browsers).',
    description:
      'Receives a logout token (OpenID Connect Back-Channel Logout 1.0) and ends every session of its provider session (sid), ' +
      'or of its user (sub) when it names no sid, on every instance sharing the session store. The token is verified against the ' +
      "provider's keys (iss, aud = this client, iat, jti, the back-channel-logout event, no nonce) and accepted once. " +
      '400 invalid-logout-token: missing, forged, expired, replayed or for another client. No cookie, no X-CSRF.',
  })
  @ApiConsumes(LOGOUT_MEDIA_TYPE)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['logout_token'],
      properties: { logout_token: { type: 'string', description: 'The logout token (a JWT signed by the provider).' } },
    },
  })
  @ApiOkResponse({
    description: 'The sessions of the logout token are ended (or were already).',
    headers: { 'Cache-Control': { description: 'Never stored.', required: true, schema: { type: 'string', enum: ['no-store'] } } },
  })
  @ApiProblemResponses(400, 413, 415, 503)
  async receive(
    @Headers('content-type') contentType: string | undefined,
    @Body() form: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    void reply.header('cache-control', 'no-store');
    await this.logout.receive(contentType, form);
  }
}
