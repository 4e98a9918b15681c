import { applyDecorators, Controller, Delete, Get, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { SessionProtected } from '@bff/auth';
import { ApiProblemResponses } from '@bff/core';

import { RemoteApiService } from './remote-api.service.js';

const FORWARDING =
  "Forwarded to the API's upstream when the path lies under one of its allowlisted prefixes and the method is allowed " +
  '(anything else is a 404 remote-api-not-allowed problem; a path with traversal or odd encodings is a 400 ' +
  "invalid-remote-path problem). The signed-in user's token goes only to upstreams declared with auth 'relay'. Cookies, " +
  "Authorization and hop-by-hop headers stay here, and so do the upstream's Set-Cookie, credential and URL headers. " +
  'Bodies are streamed. Upstream errors are mapped like every upstream call (404 → 404, 503 → 503, timeouts → 504, ' +
  "other errors, redirects and other statuses → 502). Answers that carried the user's token are marked Cache-Control: private.";

/**
 * Each method is its own documented operation: the gateway's contract is the same, but a client generator, the
 * contract crawl and the fuzzer need every status a method can send, and only methods with a body can get 413/415.
 */
function documented(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'): MethodDecorator {
  const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  return applyDecorators(
    ApiOperation({
      summary: `${method} on an allowlisted path of a remote API (gateway routing). Requires the session cookie and X-CSRF: 1.`,
      description: withBody
        ? `${FORWARDING} The JSON body is passed on as sent, at most REMOTE_API_MAX_BODY_BYTES (413 beyond, 415 for other media types).`
        : FORWARDING,
    }),
    ApiParam({ name: 'api', description: 'Remote API name, as configured by the app.', schema: { type: 'string', example: 'catalog' } }),
    ApiParam({
      name: 'path',
      description: "Path on the API's upstream (allowlisted prefixes only), query string passed on.",
      schema: { type: 'string', example: 'products' },
    }),
    ...(withBody ? [ApiBody({ required: false, description: 'Passed on to the upstream as sent.', schema: { type: 'object' } })] : []),
    ApiOkResponse({ description: "The upstream's answer, streamed.", content: { 'application/json': { schema: {} } } }),
    ...(method === 'GET' ? [ApiResponse({ status: 304, description: "Not modified (the upstream's answer to If-None-Match)." })] : []),
    ...(method === 'POST' || method === 'PUT'
      ? [ApiResponse({ status: 201, description: 'The upstream created it (its answer, streamed).' })]
      : []),
    ApiResponse({ status: 204, description: 'The upstream answered with no content.' }),
    withBody ? ApiProblemResponses(401, 403, 404, 413, 415, 429, 502, 503, 504) : ApiProblemResponses(401, 403, 404, 429, 502, 503, 504),
  );
}

/** `/api/remote/{api}/{path}`: thin; RemoteApiService resolves, checks and forwards. */
@ApiTags('remote-apis')
@Controller('api/remote')
export class RemoteApiController {
  constructor(private readonly remote: RemoteApiService) {}

  @Get(':api/*')
  @SessionProtected()
  @documented('GET')
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Post(':api/*')
  @SessionProtected()
  @documented('POST')
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Put(':api/*')
  @SessionProtected()
  @documented('PUT')
  put(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Patch(':api/*')
  @SessionProtected()
  @documented('PATCH')
  patch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }

  @Delete(':api/*')
  @SessionProtected()
  @documented('DELETE')
  delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.remote.forward(request, reply);
  }
}
