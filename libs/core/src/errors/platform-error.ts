import type { ProblemCode } from './problem-types.js';

/**
 * Transport-agnostic classes of failure. Libs classify what went wrong with one of these; only the
 * global filter (the single HTTP-facing place) turns a kind into a status code.
 */
export const ERROR_KINDS = {
  bad_request: { status: 400, title: 'Bad Request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not Found' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  conflict: { status: 409, title: 'Conflict' },
  payload_too_large: { status: 413, title: 'Content Too Large' },
  unprocessable: { status: 422, title: 'Unprocessable Content' },
  rate_limited: { status: 429, title: 'Too Many Requests' },
  internal: { status: 500, title: 'Internal Server Error' },
  bad_gateway: { status: 502, title: 'Bad Gateway' },
  unavailable: { status: 503, title: 'Service Unavailable' },
  timeout: { status: 504, title: 'Gateway Timeout' },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

export interface PlatformErrorOptions {
  /** Safe, client-facing explanation. Never put URLs, upstream bodies or stack traces here. */
  readonly publicDetail?: string;
  /** Seconds the client should wait before retrying; becomes `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** Extra members for the problem document (must be safe to show the client). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** Internal facts logged with the request id and never sent to the client. */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * A coded error raised by platform code. `code` is a stable SCREAMING_SNAKE identifier listed in
 * PROBLEM_TYPES that becomes the problem `type` (e.g. UPSTREAM_TIMEOUT → .../problems/upstream-timeout).
 */
export class PlatformError extends Error {
  readonly publicDetail?: string;
  readonly retryAfterSeconds?: number;
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly context?: Readonly<Record<string, unknown>>;

  constructor(
    readonly kind: ErrorKind,
    readonly code: ProblemCode,
    message: string,
    options: PlatformErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlatformError';
    this.publicDetail = options.publicDetail;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions;
    this.context = options.context;
  }

  get status(): number {
    return ERROR_KINDS[this.kind].status;
  }
}

export function isPlatformError(value: unknown): value is PlatformError {
  return value instanceof PlatformError;
}
