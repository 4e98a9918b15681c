import { PlatformError, type ProblemCode } from '@bff/core';

/** The request header carrying a client's idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A client's Idempotency-Key: 8-128 letters, digits, '-', '_', '.' or ':' (a UUID fits). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The validated Idempotency-Key of a request. A missing or blank key is a 400 IDEMPOTENCY_KEY_MISSING,
 * a malformed one a 400 IDEMPOTENCY_KEY_INVALID; both list the header in `errors` like a validation failure.
 * A repeated header (an array) counts as malformed: which copy a proxy keeps is not defined.
 */
export function parseIdempotencyKey(raw: string | readonly string[] | undefined): string {
  const problem = (code: ProblemCode, constraint: string, detail: string): PlatformError =>
    new PlatformError('bad_request', code, detail, {
      publicDetail: detail,
      extensions: { errors: [{ field: IDEMPOTENCY_KEY_HEADER, in: 'header', constraints: { [constraint]: detail } }] },
    });
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
    throw problem(
      'IDEMPOTENCY_KEY_MISSING',
      'required',
      'Send an Idempotency-Key header with a value unique to this order (e.g. a UUID), and the same value when you repeat the request.',
    );
  }
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(raw)) {
    throw problem('IDEMPOTENCY_KEY_INVALID', 'matches', "Idempotency-Key must be 8-128 letters, digits, '-', '_', '.' or ':'.");
  }
  return raw;
}
