import { UpstreamError, type UpstreamFailure } from '../upstream.error.js';
import type { TransportRequest } from '../upstream.types.js';

/** What a failure report needs of a request (buffered or streamed). */
type TransportCall = Pick<TransportRequest, 'method' | 'path' | 'signal'>;

/** Response headers over the client's limit (undici, Node's HTTP parser): the answer is unusable, and would be again. */
const HEADER_OVERFLOW_CODES = ['UND_ERR_HEADERS_OVERFLOW', 'HPE_HEADER_OVERFLOW'];

/**
 * Classifies a low-level transport failure (either stack). An aborted signal is reported as
 * 'aborted'; the client knows which signal fired (its timeout, the deadline, or the caller) and
 * re-classifies. Headers over the client's limit are a malformed answer (not retried). Everything
 * else is refused (nothing listening, or a name that does not resolve) or reset (died mid-exchange).
 */
export function transportFailure(upstream: string, request: TransportCall, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  let failure: UpstreamFailure;
  if (request.signal.aborted) failure = 'aborted';
  else if (hasCode(error, 'ECONNREFUSED') || hasCode(error, 'ENOTFOUND') || hasCode(error, 'EAI_AGAIN') || hasCode(error, 'EHOSTUNREACH')) {
    failure = 'connection_refused';
  } else if (hasCode(error, 'UND_ERR_HEADERS_TIMEOUT') || hasCode(error, 'UND_ERR_BODY_TIMEOUT') || hasCode(error, 'ETIMEDOUT')) {
    failure = 'timeout';
  } else if (HEADER_OVERFLOW_CODES.some((code) => hasCode(error, code))) {
    failure = 'malformed_body';
  } else failure = 'connection_reset';
  return new UpstreamError({ upstream, failure, method: request.method, path: request.path, cause: error });
}

export function bodyTooLarge(upstream: string, request: TransportCall): UpstreamError {
  return new UpstreamError({ upstream, failure: 'body_too_large', method: request.method, path: request.path });
}

/** Looks for an error code on the error, its causes, and aggregated errors (happy-eyeballs). */
export function hasCode(error: unknown, code: string): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    if ((current as { code?: unknown }).code === code) return true;
    const nested = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(nested) && nested.some((n) => (n as { code?: unknown }).code === code)) return true;
  }
  return false;
}
