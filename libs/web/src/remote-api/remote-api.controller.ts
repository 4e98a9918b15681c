import { applyDecorators, Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { SessionProtected } from '@bff/auth';
import { ApiProblemResponses } from '@bff/core';

import { RemoteApiService } from './remote-api.service.js';

/**
 * The one documented operation (GET): its path parameters, the upstream's answer and the problems. The
 * other methods share its contract plus a JSON body (413 past REMOTE_API_MAX_BODY_BYTES, 415 for other
 * media types); they are left out of the document, which describes the gateway once rather than per method.
 */
const DOCUMENTED = applyDecorators(
  ApiOperation({
    summary: 'An allowlisted path of a remote API (gateway routing). Requires the session cookie and X-CSRF: 1.',
    description:
      "Forwarded to the API's upstream when the path lies under one of its allowlisted prefixes and the method is allowed " +
      '(anything else is a 404 remote-api-not-allowed problem). POST, PUT, PATCH and DELETE work the same way where the API ' +
      'allows them, with a JSON body of at most REMOTE_API_MAX_BODY_BYTES (413 beyond, 415 for other media types). ' +
      "The signed-in user's token goes only to upstreams declared with auth 'relay'. Cookies, Authorization and hop-by-hop " +
      "headers stay here, and so do the upstream's Set-Cookie, credential and URL headers. Bodies are streamed. Upstream " +
      'errors are mapped like every upstream call (404 → 404, 503 → 503, timeouts → 504, other errors and redirects → 502). ' +
      "Answers that carried the user's token are marked Cache-Control: private.",
  }),
  ApiParam({ name: 'api', description: 'Remote API name, as configured by the app.', schema: { type: 'string', example: 'catalog' } }),
  ApiParam({
    name: 'path',
    description: "Path on the API's upstream (allowlisted prefixes only), query string passed on.",
    schema: { type: 'string', example: 'products' },
  }),
  ApiOkResponse({ description: "The upstream's answer, streamed.", content: { 'application/json': { schema: {} } } }),
  ApiResponse({ status: 304, description: "Not modified (the upstream's answer to If-None-Match)." }),
  ApiProblemResponses(401, 403, 404, 429, 502, 503, 504),
);

/** `/api/remote/{api}/{path}`: thin; RemoteApiService resolves, checks and forwards. */
@ApiTags('remote-apis')
@Controller('api/remote')
export class RemoteApiController {
  constructor(private readonly remote: RemoteApiService) {}

  @Get(':api/*')
  @SessionProtected()
  @DOCUMENTED
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Post(':api/*')
  @SessionProtected()
  @ApiExcludeEndpoint()
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Put(':api/*')
  @SessionProtected()
  @ApiExcludeEndpoint()
  put(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Patch(':api/*')
  @SessionProtected()
  @ApiExcludeEndpoint()
  patch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Delete(':api/*')
  @SessionProtected()
  @ApiExcludeEndpoint()
  delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }
}
