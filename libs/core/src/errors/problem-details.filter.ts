import { STATUS_CODES, type IncomingMessage } from 'node:http';

import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { MAX_PATH_PARAM_LENGTH, PROBLEM_CONTENT_TYPE } from '../core.constants.js';
import { resolveRequestId } from '../request-context/request-id.js';
import { ERROR_KINDS, PlatformError } from './platform-error.js';
import { isProblemCode, type ProblemCode } from './problem-types.js';
import { problemType, requestInstance, type ProblemDocument } from './problem.js';

interface Classified {
  status: number;
  code: ProblemCode;
  title: string;
  detail: string;
  /** The URL itself was refused: `instance` names the request instead of echoing the path. */
  hidesUrl?: boolean;
  retryAfterSeconds?: number;
  extensions?: Readonly<Record<string, unknown>>;
  /** Whether this is a server-side fault worth an error log with the internal cause. */
  fault: boolean;
}

/** Fastify's own 4xx errors, raised before a handler runs, mapped to stable platform codes. */
const FASTIFY_CODES: Record<string, { code: ProblemCode; detail: (req: FastifyRequest) => string; hidesUrl?: boolean }> = {
  // The router's refusals (answered through edges.ts's frameworkErrors), before any route matched.
  FST_ERR_BAD_URL: {
    code: 'BAD_URL',
    detail: () => 'The request path is not a valid URL (malformed percent-encoding).',
    hidesUrl: true,
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'URI_TOO_LONG',
    detail: () => `A path segment is longer than ${MAX_PATH_PARAM_LENGTH} characters.`,
    hidesUrl: true,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: (req) => `Content-Type '${truncate(String(req.headers['content-type'] ?? ''), 80)}' is not supported; send application/json.`,
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    // A content-type parser with a limit of its own (e.g. a form parser) states it in the route's config as `parserBodyLimit`.
    detail: (req) =>
      `The request body exceeds the limit of ${(req.routeOptions.config as { parserBodyLimit?: number } | undefined)?.parserBodyLimit ?? req.routeOptions.bodyLimit ?? 'the configured'} bytes.`,
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', detail: () => 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MALFORMED_JSON',
    detail: () => "The request declares 'application/json' but its body is empty.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'INVALID_CONTENT_LENGTH',
    detail: () => 'The Content-Length header does not match the body.',
  },
};

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Node's error for a request whose connection closed before it was fully read ('aborted', ECONNRESET). */
function clientWentAway(exception: unknown, request: FastifyRequest): boolean {
  return (
    exception instanceof Error &&
    (exception as NodeJS.ErrnoException).code === 'ECONNRESET' &&
    (request.raw as IncomingMessage | undefined)?.destroyed === true
  );
}

/** A framework HTTP error's code: its status phrase when the catalogue lists it (413 → PAYLOAD_TOO_LARGE), else HTTP_ERROR. */
function codeFromStatus(status: number): ProblemCode {
  const code = (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return isProblemCode(code) ? code : 'HTTP_ERROR';
}

/**
 * The single place where errors become HTTP answers: every error leaves as RFC 9457
 * `application/problem+json` carrying the request id. Client errors keep a helpful, safe detail;
 * server-side faults are logged in full and answered with a generic body (no stack, no internal
 * message, no upstream URL or body).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = typeof request.id === 'string' ? request.id : resolveRequestId(undefined);
    if (clientWentAway(exception, request)) {
      // Reading the request failed because its connection is gone (the client hung up, or the request
      // timeout closed it after answering 408): there is nobody to answer, and nothing went wrong here.
      this.logger.debug({ requestId }, `${request.method} client connection closed before the request was read`);
      return;
    }
    const problem = this.classify(exception, request);

    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (problem.fault) {
      this.logger.error(
        {
          requestId,
          err: exception instanceof Error ? exception : new Error(String(exception)),
          code: problem.code,
          details: exception instanceof PlatformError ? exception.context : undefined,
        },
        `${request.method} ${path} failed with ${problem.status} ${problem.code}`,
      );
    } else if (problem.status >= 500 || exception instanceof PlatformError) {
      this.logger.warn(
        { requestId, code: problem.code, details: exception instanceof PlatformError ? exception.context : undefined },
        `${request.method} ${path} answered ${problem.status} ${problem.code}`,
      );
    }

    const body: ProblemDocument = {
      type: problemType(problem.code),
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: problem.hidesUrl ? requestInstance(requestId) : truncate(path, 256),
      requestId,
      ...problem.extensions,
    };
    if (reply.sent) return;
    if (problem.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(Math.max(0, Math.ceil(problem.retryAfterSeconds))));
    }
    void reply
      .status(problem.status)
      .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
      .header('cache-control', 'no-store')
      .send(JSON.stringify(body));
  }

  private classify(exception: unknown, request: FastifyRequest): Classified {
    if (exception instanceof PlatformError) {
      const { status, title } = ERROR_KINDS[exception.kind];
      return {
        status,
        title,
        code: exception.code,
        detail: exception.publicDetail ?? title,
        retryAfterSeconds: exception.retryAfterSeconds,
        extensions: exception.extensions,
        fault: exception.kind === 'internal',
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const title = STATUS_CODES[status] ?? 'Error';
      if (status >= 500) return { status, title, code: codeFromStatus(status), detail: title, fault: true };
      const cause = exception.cause as { code?: unknown } | undefined;
      const fastify = typeof cause?.code === 'string' ? FASTIFY_CODES[cause.code] : undefined;
      if (fastify) return { status, title, code: fastify.code, detail: fastify.detail(request), hidesUrl: fastify.hidesUrl, fault: false };
      if (status === 404 && /^Cannot [A-Z]+ /.test(exception.message)) {
        const path = (request.url ?? '/').split('?')[0] ?? '/';
        return {
          status,
          title,
          code: 'ROUTE_NOT_FOUND',
          detail: `No route matches ${request.method} ${truncate(path, 200)}.`,
          fault: false,
        };
      }
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : exception.message;
      return { status, title, code: codeFromStatus(status), detail: truncate(message, 300), fault: false };
    }
    const title = ERROR_KINDS.internal.title;
    return { status: 500, title, code: 'INTERNAL', detail: 'An unexpected error occurred.', fault: true };
  }
}
