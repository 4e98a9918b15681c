import { STATUS_CODES, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';

import type { CoreEnv } from '../config/core.env.js';
import { MAX_PATH_PARAM_LENGTH, PROBLEM_CONTENT_TYPE, REQUEST_ID_HEADER } from '../core.constants.js';
import type { ProblemCode } from '../errors/problem-types.js';
import { problemType, requestInstance, type ProblemDocument } from '../errors/problem.js';
import { writeAccessLog } from '../logging/logger.options.js';
import type { HttpMetrics } from '../metrics/http.metrics.js';
import { newRequestId } from '../request-context/request-id.js';
import { installJsonBodyParser } from './json-body.js';
import { API_SECURITY_HEADER_VALUES } from './security-headers.js';

/** What Node reports on the socket (`clientError`), as the problem the client gets. */
interface SocketAnswer {
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string;
}

const SOCKET_ANSWERS: Readonly<Record<string, SocketAnswer>> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request was not received in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'The request headers exceed the size limit.' },
};
/** Every other parser error (bad request line, header syntax, framing...). */
const MALFORMED_REQUEST: SocketAnswer = { status: 400, code: 'MALFORMED_REQUEST', detail: 'The request is not valid HTTP/1.1.' };

/** The reply of the last request read on a socket, so a socket-level error can name the request it cut. */
const LAST_REPLY: unique symbol = Symbol('bff:last-reply');
type TrackedSocket = Socket & { [LAST_REPLY]?: FastifyReply };

type EdgeServerOptions = Pick<
  FastifyServerOptions,
  'routerOptions' | 'frameworkErrors' | 'clientErrorHandler' | 'requestTimeout' | 'keepAliveTimeout'
> & {
  readonly http: ServerOptions;
};

/** At most one warning per this many ms about connections refused over HTTP_MAX_CONNECTIONS (an attack would flood the log). */
const DROP_WARNING_INTERVAL_MS = 10_000;

/**
 * The answers Fastify and Node give before any route runs, made to look like the core's: RFC 9457
 * problem+json with the request id (header and member), the API security headers, `Cache-Control:
 * no-store` and one access-log line, and never an echo of the URL or of the raw request.
 *
 * - Router refusals (malformed percent-encoding, a path parameter over MAX_PATH_PARAM_LENGTH) reach
 *   `frameworkErrors`, outside any route: no hook runs there, so the headers and the access line are
 *   added here, and the error goes through the app's error handler, i.e. Nest's exception layer and
 *   the one ProblemDetailsFilter.
 * - What Node's HTTP parser refuses, and its header/request timeouts, reach `clientError` with only the
 *   socket: the problem is written on it as a complete HTTP/1.1 response with `Connection: close`.
 */
export class HttpEdges {
  private logger: Logger | undefined;
  private metrics: HttpMetrics | undefined;

  constructor(private readonly env: CoreEnv) {}

  /** Spread into the FastifyAdapter options. */
  serverOptions(): EdgeServerOptions {
    const { HTTP_HEADERS_TIMEOUT_MS: headersTimeout, HTTP_REQUEST_TIMEOUT_MS: requestTimeout } = this.env;
    return {
      requestTimeout,
      keepAliveTimeout: this.env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      http: {
        headersTimeout,
        requestTimeout,
        // Node checks both timeouts on this interval (default 30 s, which would let a slow client run up to
        // 30 s past its limit): a quarter of the headers timeout, and at least once a second.
        connectionsCheckingInterval: Math.min(1_000, Math.max(25, Math.floor(headersTimeout / 4))),
      },
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
        this.answerFrameworkError(error, request, reply),
      clientErrorHandler: (error: NodeJS.ErrnoException, socket: Socket) => this.answerClientError(error, socket),
    };
  }

  /** Once the app exists: the logger for access lines and the request metrics, the socket → request tracking, the bounded JSON parser. */
  install(fastify: FastifyInstance, logger: Logger, metrics: HttpMetrics): void {
    this.logger = logger;
    this.metrics = metrics;
    installJsonBodyParser(fastify, { maxDepth: this.env.JSON_MAX_DEPTH, maxKeys: this.env.JSON_MAX_KEYS });
    this.limitConnections(fastify.server, logger);
    fastify.addHook('onRequest', (request, reply, done) => {
      (request.raw.socket as TrackedSocket)[LAST_REPLY] = reply;
      done();
    });
  }

  /** Node closes connections over the cap as soon as it accepts them ('drop'); the operator hears of it. */
  private limitConnections(server: Server, logger: Logger): void {
    const max = this.env.HTTP_MAX_CONNECTIONS;
    server.maxConnections = max;
    let dropped = 0;
    let warnedAt = -Infinity;
    server.on('drop', () => {
      dropped++;
      const now = performance.now();
      if (now - warnedAt < DROP_WARNING_INTERVAL_MS) return;
      warnedAt = now;
      logger.warn({ dropped, maxConnections: max }, `Refused ${dropped} connection(s): HTTP_MAX_CONNECTIONS (${max}) reached`);
      dropped = 0;
    });
  }

  private answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const startedAt = performance.now();
    void reply.headers({ ...API_SECURITY_HEADER_VALUES, [REQUEST_ID_HEADER]: request.id });
    reply.raw.once('finish', () => {
      this.metrics?.observe(request.method, undefined, reply.statusCode, performance.now() - startedAt);
      if (this.logger)
        writeAccessLog(this.logger, {
          requestId: request.id,
          method: request.method,
          route: undefined,
          status: reply.statusCode,
          durationMs: performance.now() - startedAt,
          headers: request.headers,
        });
    });
    request.server.errorHandler(error, request, reply);
  }

  private answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    // A reset peer has gone: nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const last = (socket as TrackedSocket)[LAST_REPLY];
    // The request being read when the error came (a body too slow for the request timeout), if any.
    const current = last && !last.raw.writableEnded ? last : undefined;
    if (!socket.writable || current?.raw.headersSent) {
      // A response is already under way (or the socket cannot be written): a second one would corrupt it.
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && !current && socket.bytesRead === 0) {
      // A connection that never sent a byte (a preconnected or abandoned socket): nothing to answer, and an
      // unsolicited 408 could be taken by a proxy as the answer to the request it is about to send.
      socket.destroy();
      return;
    }
    const answer = (error.code && SOCKET_ANSWERS[error.code]) || MALFORMED_REQUEST;
    const requestId = current?.request.id ?? newRequestId();
    writeSocketProblem(socket, answer, requestId);
    if (!this.logger) return;
    // The parser's code only: the raw packet Node attaches may hold credentials.
    this.logger.debug({ requestId, code: error.code }, 'client error answered on the socket');
    writeAccessLog(this.logger, {
      requestId,
      method: current?.request.method ?? '-',
      route: current?.request.routeOptions.url,
      status: answer.status,
      durationMs: current?.elapsedTime,
      headers: current?.request.headers ?? {},
    });
  }
}

/** A complete HTTP/1.1 problem response written on the socket, which is closed once it is flushed. */
function writeSocketProblem(socket: Socket, answer: SocketAnswer, requestId: string): void {
  const title = STATUS_CODES[answer.status] ?? 'Error';
  const body = JSON.stringify({
    type: problemType(answer.code),
    title,
    status: answer.status,
    detail: answer.detail,
    instance: requestInstance(requestId),
    requestId,
  } satisfies ProblemDocument);
  const head = [
    `HTTP/1.1 ${answer.status} ${title}`,
    `Date: ${new Date().toUTCString()}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'Connection: close',
    `X-Request-Id: ${requestId}`,
    ...Object.entries(API_SECURITY_HEADER_VALUES).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
