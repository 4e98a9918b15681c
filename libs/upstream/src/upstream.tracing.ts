import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';

import { Tracing } from '@bff/core';

import { UpstreamError } from './upstream.error.js';
import type { TransportResponse, UpstreamMethod } from './upstream.types.js';

/** Which attempt outcome a span reports: `ok`, or the UpstreamFailure code (timeout, http_status...). */
const OUTCOME = 'bff.upstream.outcome';

/**
 * The CLIENT span of each attempt of one upstream: `<METHOD> <upstream>`, child of the active span
 * (the section), carrying `http.request.resend_count` on retries. Its context is what the upstream
 * receives in `traceparent`, so the upstream's own spans hang under the attempt. With tracing off,
 * `attempt` just runs the send.
 */
export class UpstreamTracing {
  private readonly address: string;
  private readonly port: number;

  constructor(
    private readonly upstream: string,
    baseUrl: URL,
  ) {
    this.address = baseUrl.hostname;
    this.port = Number(baseUrl.port) || (baseUrl.protocol === 'https:' ? 443 : 80);
  }

  attempt<R extends Pick<TransportResponse, 'status'>>(
    method: UpstreamMethod,
    resendCount: number,
    headers: Record<string, string>,
    send: (headers: Record<string, string>) => Promise<R>,
  ): Promise<R> {
    if (!Tracing.enabled) return send(headers);
    const span = Tracing.start(`${method} ${this.upstream}`, 'client', {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_SERVER_ADDRESS]: this.address,
      [ATTR_SERVER_PORT]: this.port,
      'bff.upstream': this.upstream,
      ...(resendCount > 0 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: resendCount } : {}),
    });
    if (span === undefined) return send(headers);
    span.inject(headers);
    return span
      .run(() => send(headers))
      .then(
        (response) => {
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status).setAttribute(OUTCOME, 'ok').end();
          return response;
        },
        (error: unknown) => {
          const failure = error instanceof UpstreamError ? error.failure : 'error';
          const status = error instanceof UpstreamError ? error.upstreamStatus : undefined;
          if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
          // error.type: the status code for an HTTP error answer (semantic conventions), else the failure code.
          const type = status !== undefined ? String(status) : failure;
          span.setAttribute(OUTCOME, failure).fail(error, type).end();
          throw error;
        },
      );
  }
}
