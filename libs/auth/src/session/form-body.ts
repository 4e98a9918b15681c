import type { FastifyInstance, FastifyRequest } from 'fastify';

import { PlatformError } from '@bff/core';

import { LOGOUT_MEDIA_TYPE } from './backchannel-logout.service.js';
import { FORM_BODY_LIMIT_BYTES, FORM_BODY_ROUTE } from './session.constants.js';

/**
 * Parses `application/x-www-form-urlencoded` bodies (at most 16 KiB) for the routes marked
 * @AcceptsFormBody only: on any other route such a body stays the 415 it was without this parser,
 * so JSON routes never see form data. A repeated parameter is refused (400).
 */
export function installFormBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(LOGOUT_MEDIA_TYPE)) return;
  fastify.addContentTypeParser(
    LOGOUT_MEDIA_TYPE,
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES },
    (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
      const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
      if (config?.[FORM_BODY_ROUTE] !== true) {
        return done(
          new PlatformError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Form body on a JSON route', {
            publicDetail: `Content-Type '${LOGOUT_MEDIA_TYPE}' is not supported; send application/json.`,
          }),
        );
      }
      const form: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [name, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
        if (name in form) {
          return done(
            new PlatformError('bad_request', 'DUPLICATE_PARAMETER', `Form parameter ${name.slice(0, 64)} repeated`, {
              publicDetail: 'A form parameter is repeated.',
            }),
          );
        }
        form[name] = value;
      }
      done(null, form);
    },
  );
}
