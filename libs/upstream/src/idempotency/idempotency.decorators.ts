import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, parseIdempotencyKey } from './idempotency-key.js';

/**
 * The request's validated Idempotency-Key (see parseIdempotencyKey): a missing or malformed key
 * answers 400 before the handler runs. Pair it with @ApiIdempotencyKey() on the route.
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  return parseIdempotencyKey(request.headers['idempotency-key']);
});

/** Documents the required Idempotency-Key request header. `description` says what a replay answers. */
export const ApiIdempotencyKey = (description: string): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: true,
      description,
      schema: {
        type: 'string',
        pattern: IDEMPOTENCY_KEY_PATTERN.source,
        minLength: 8,
        maxLength: 128,
        example: '0b7e5f1c-9a2d-4c3e-8f6a-1d2e3f4a5b6c',
      },
    }),
  );
