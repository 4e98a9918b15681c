import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';

import { PlatformError } from './platform-error.js';
import type { FieldViolation } from './problem.js';

/** Flattens class-validator's nested error tree into one entry per offending field. */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints && Object.keys(error.constraints).length > 0) {
      out.push({ field, constraints: { ...error.constraints } });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function validationFailed(violations: FieldViolation[]): PlatformError {
  const count = violations.length;
  return new PlatformError('bad_request', 'VALIDATION_FAILED', 'Request validation failed', {
    publicDetail: `The request has ${count} invalid field${count === 1 ? '' : 's'}.`,
    extensions: { errors: violations },
  });
}

const SOURCES: Partial<Record<ArgumentMetadata['type'], FieldViolation['in']>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/**
 * The platform's global pipe: whitelist + forbidNonWhitelisted + transform, and every failure is a
 * VALIDATION_FAILED problem that lists each field, the constraint it broke and where it came from.
 */
export class PlatformValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      const source = SOURCES[metadata.type];
      if (source && error instanceof PlatformError && error.code === 'VALIDATION_FAILED') {
        const violations = (error.extensions?.errors as FieldViolation[]).map((v) => ({ ...v, in: source }));
        throw validationFailed(violations);
      }
      throw error;
    }
  }
}
