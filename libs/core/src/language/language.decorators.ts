import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { appendVary } from '../access/private-response.js';
import { ApiSuccessHeaders, type HeaderSpec } from '../openapi/document-contract.js';
import { RequestContext } from '../request-context/request-context.js';

const LANGUAGE_RESPONSE_HEADERS: Record<string, HeaderSpec> = {
  'Content-Language': {
    description: 'The language negotiated from Accept-Language, the one the answer is in.',
    required: true,
    schema: { type: 'string', example: 'en' },
  },
  Vary: { description: 'Request headers the answer depends on (Accept-Language among them).', schema: { type: 'string' } },
};

/**
 * Documents a route whose answer is in the negotiated language: the `Accept-Language` request header and the
 * `Content-Language` / `Vary` response headers. `@Cached({ varyBy: ['accept-language'] })` applies it; an uncached
 * route sets the headers with `setLanguageHeaders(reply)`.
 */
export const ApiLanguageHeaders = (): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'Accept-Language',
      required: false,
      description:
        'Preferred languages with q-values (RFC 9110 §12.5.4), negotiated against the languages the app serves; ' +
        'unsupported or malformed values get the default language (see Content-Language).',
      schema: { type: 'string', example: 'de-CH, fr;q=0.8' },
    }),
    ApiSuccessHeaders(LANGUAGE_RESPONSE_HEADERS),
  );

/** Sets `Content-Language` (the request's negotiated language) and adds Accept-Language to `Vary` (keeping the rest). */
export function setLanguageHeaders(reply: FastifyReply): void {
  const language = RequestContext.current()?.language;
  if (!language) return;
  void reply.header('content-language', language).header('vary', appendVary(reply.getHeader('vary'), 'Accept-Language'));
}
