import { applyDecorators, Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { SessionProtected } from '@bff/auth';
import { ApiProblemResponses } from '@bff/core';

import { RemoteApiService } from './remote-api.service.js';

/** What every method of the route documents: the path parameters, the upstream's answer, the problems. */
function RemoteApiRoute(method: string, withBody: boolean): MethodDecorator {
  return applyDecorators(
    SessionProtected(),
    ApiOperation({
      summary: `${method} on an allowlisted path of a remote API (gateway routing). Requires the session cookie and X-CSRF: 1.`,
      description:
        "Forwarded to the API's upstream when the path lies under one of its allowlisted prefixes and the method is allowed " +
        "(anything else is a 404 remote-api-not-allowed problem). The signed-in user's token goes only to upstreams declared " +
        "with auth 'relay'. Cookies, Authorization and hop-by-hop headers stay here, and so do the upstream's Set-Cookie and " +
        'credential headers. Bodies are streamed; request bodies are limited to REMOTE_API_MAX_BODY_BYTES. Upstream errors ' +
        'are mapped like every upstream call (404 → 404, 503 → 503, timeouts → 504, other errors → 502). Answers that ' +
        "carried the user's token are marked Cache-Control: private.",
    }),
    ApiParam({ name: 'api', description: 'Remote API name, as configured by the app.', schema: { type: 'string', example: 'catalog' } }),
    ApiParam({
      name: 'path',
      description: "Path on the API's upstream (allowlisted prefixes only), query string passed on.",
      schema: { type: 'string', example: 'products' },
    }),
    ...(withBody ? [ApiBody({ required: false, description: 'Passed on as sent (JSON).', schema: { type: 'object' } })] : []),
    ApiOkResponse({ description: "The upstream's answer, streamed.", content: { 'application/json': { schema: {} } } }),
    ...(method === 'GET' ? [ApiResponse({ status: 304, description: "Not modified (the upstream's answer to If-None-Match)." })] : []),
    ApiProblemResponses(401, 403, 404, ...(withBody ? [413, 415] : []), 429, 502, 503, 504),
  );
}

/** `/api/remote/{api}/{path}`: thin; RemoteApiService resolves, checks and forwards. */
@ApiTags('remote-apis')
@Controller('api/remote')
export class RemoteApiController {
  constructor(private readonly remote: RemoteApiService) {}

  @Get(':api/*')
  @RemoteApiRoute('GET', false)
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Post(':api/*')
  @RemoteApiRoute('POST', true)
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Put(':api/*')
  @RemoteApiRoute('PUT', true)
  put(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Patch(':api/*')
  @RemoteApiRoute('PATCH', true)
  patch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Delete(':api/*')
  @RemoteApiRoute('DELETE', false)
  delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }
}
