import { isUpstreamError } from '../upstream.error.js';

/** A section that ran past its own budget. */
export class SectionTimeoutError extends Error {
  constructor(
    readonly section: string,
    readonly budgetMs: number,
  ) {
    super(`section '${section}' exceeded its ${budgetMs} ms budget`);
    this.name = 'SectionTimeoutError';
  }
}

/** Short, client-safe reason for a degraded section. */
export function failureReason(error: unknown): string {
  if (error instanceof SectionTimeoutError) return 'timeout';
  if (!isUpstreamError(error)) return 'error';
  switch (error.failure) {
    case 'http_status':
      return error.upstreamStatus === 404 ? 'not_found' : error.upstreamStatus === 503 ? 'unavailable' : 'upstream_error';
    case 'timeout':
    case 'deadline_exceeded':
    case 'aborted':
      return 'timeout';
    case 'circuit_open':
      return 'circuit_open';
    case 'bulkhead_full':
      return 'overloaded';
    case 'connection_refused':
      return 'unavailable';
    case 'connection_reset':
      return 'connection_reset';
    case 'malformed_body':
      return 'malformed_response';
    case 'body_too_large':
      return 'response_too_large';
  }
}
