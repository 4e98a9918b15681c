import { PlatformError, type ErrorKind, type ProblemCode } from '@bff/core';

/** Why an upstream call failed, independent of HTTP. */
export type UpstreamFailure =
  | 'http_status'
  | 'timeout'
  | 'deadline_exceeded'
  | 'connection_refused'
  | 'connection_reset'
  | 'malformed_body'
  | 'body_too_large'
  | 'circuit_open'
  | 'bulkhead_full'
  | 'aborted';

const DEFAULTS: Record<UpstreamFailure, { kind: ErrorKind; code: ProblemCode; detail: string }> = {
  http_status: { kind: 'bad_gateway', code: 'UPSTREAM_ERROR', detail: 'An upstream service answered with an error.' },
  timeout: { kind: 'timeout', code: 'UPSTREAM_TIMEOUT', detail: 'An upstream service did not answer in time.' },
  deadline_exceeded: {
    kind: 'timeout',
    code: 'DEADLINE_EXCEEDED',
    detail: 'The request ran out of time before an upstream call could complete.',
  },
  connection_refused: { kind: 'unavailable', code: 'UPSTREAM_UNAVAILABLE', detail: 'An upstream service is unavailable.' },
  connection_reset: {
    kind: 'bad_gateway',
    code: 'UPSTREAM_CONNECTION_RESET',
    detail: 'An upstream service closed the connection unexpectedly.',
  },
  malformed_body: { kind: 'bad_gateway', code: 'UPSTREAM_MALFORMED_RESPONSE', detail: 'An upstream service sent an invalid response.' },
  body_too_large: {
    kind: 'bad_gateway',
    code: 'UPSTREAM_RESPONSE_TOO_LARGE',
    detail: 'An upstream service sent a response larger than allowed.',
  },
  circuit_open: { kind: 'unavailable', code: 'UPSTREAM_CIRCUIT_OPEN', detail: 'An upstream service is temporarily unavailable.' },
  bulkhead_full: { kind: 'unavailable', code: 'UPSTREAM_OVERLOADED', detail: 'An upstream service is overloaded.' },
  aborted: { kind: 'timeout', code: 'UPSTREAM_ABORTED', detail: 'An upstream call was cancelled.' },
};

export interface UpstreamErrorInit {
  readonly upstream: string;
  readonly failure: UpstreamFailure;
  readonly method: string;
  readonly path: string;
  /** Upstream HTTP status, for 'http_status'. */
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  /** First bytes of the upstream's error body: logged with the request id, never sent to clients. */
  readonly upstreamBody?: string;
  /** Retry-After the upstream itself sent (retries wait at least this long). */
  readonly upstreamRetryAfterSeconds?: number;
  readonly cause?: unknown;
  /** Overrides the default classification (endpoint-level mapping). */
  readonly kind?: ErrorKind;
  readonly code?: ProblemCode;
  readonly publicDetail?: string;
}

/**
 * A failed upstream call: typed and coded inside the lib, never an HTTP exception. The core filter
 * turns its kind into a status. The upstream path and status are logged (context), never sent.
 */
export class UpstreamError extends PlatformError {
  readonly upstream: string;
  readonly failure: UpstreamFailure;
  readonly upstreamStatus?: number;
  /** Retry-After the upstream sent, when it sent one. */
  readonly upstreamRetryAfterSeconds?: number;
  /**
   * First bytes of the upstream's error body, for an adapter that classifies the upstream's error
   * document (e.g. which product an order refers to). Never sent to clients.
   */
  readonly upstreamBody?: string;

  constructor(init: UpstreamErrorInit) {
    const base = DEFAULTS[init.failure];
    const kind = init.kind ?? (init.failure === 'http_status' && init.status === 404 ? 'not_found' : base.kind);
    const code = init.code ?? (kind === 'not_found' ? 'NOT_FOUND' : base.code);
    const detail = init.publicDetail ?? (kind === 'not_found' ? 'The requested resource does not exist.' : base.detail);
    const retryAfterSeconds = init.retryAfterSeconds ?? init.upstreamRetryAfterSeconds ?? (kind === 'unavailable' ? 5 : undefined);
    super(kind, code, `${init.upstream} ${init.method} ${init.path}: ${init.failure}${init.status ? ` ${init.status}` : ''}`, {
      publicDetail: detail,
      retryAfterSeconds,
      cause: init.cause,
      context: {
        upstream: init.upstream,
        failure: init.failure,
        upstreamStatus: init.status,
        method: init.method,
        path: init.path,
        ...(init.upstreamBody === undefined ? {} : { upstreamBody: init.upstreamBody }),
      },
    });
    this.name = 'UpstreamError';
    this.upstream = init.upstream;
    this.failure = init.failure;
    this.upstreamStatus = init.status;
    this.upstreamRetryAfterSeconds = init.upstreamRetryAfterSeconds;
    this.upstreamBody = init.upstreamBody;
  }

  /** Re-classifies this failure for an endpoint (e.g. a 404 of a non-subject resource → 502). */
  remap(kind: ErrorKind, code: ProblemCode, publicDetail: string): UpstreamError {
    return new UpstreamError({
      upstream: this.upstream,
      failure: this.failure,
      method: String(this.context?.method),
      path: String(this.context?.path),
      status: this.upstreamStatus,
      retryAfterSeconds: this.retryAfterSeconds,
      upstreamRetryAfterSeconds: this.upstreamRetryAfterSeconds,
      upstreamBody: this.upstreamBody,
      cause: this,
      kind,
      code,
      publicDetail,
    });
  }
}

export function isUpstreamError(value: unknown): value is UpstreamError {
  return value instanceof UpstreamError;
}
