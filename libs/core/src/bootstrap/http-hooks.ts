import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

import { REQUEST_ID_HEADER } from '../core.constants.js';
import { negotiateLanguage } from '../language/language.js';
import { writeAccessLog } from '../logging/logger.options.js';
import type { HttpMetrics } from '../metrics/http.metrics.js';
import { pickPropagatedHeaders } from '../request-context/propagation.js';
import { RequestContext, type RequestContextData } from '../request-context/request-context.js';
import { serverSpanOf, traceServerSpans } from '../tracing/server-span.js';
import type { TracingRuntime } from '../tracing/tracing.js';

/**
 * Per-request plumbing that must run for every route, including 404s and body-parse failures:
 * echo the request id, write the access log line, observe the request metrics, and open the request context (ALS)
 * around the handler so libs can read the request id, propagated headers and deadline.
 */
const CONTEXT = Symbol('bff:request-context');
type WithContext = { [CONTEXT]?: RequestContextData };

export function installRequestHooks(
  fastify: FastifyInstance,
  deadlineMs: number,
  logger: Logger,
  metrics: HttpMetrics,
  languages: readonly string[],
  tracing?: TracingRuntime,
): void {
  // Without tracing nothing is added: the hooks below check one absent field and move on.
  if (tracing) traceServerSpans(fastify, tracing);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const startedAt = performance.now();
    const language = negotiateLanguage(request.headers['accept-language'], languages);
    const ctx: RequestContextData = {
      requestId: request.id,
      route: request.routeOptions.url,
      startedAt,
      deadline: startedAt + deadlineMs,
      propagated: pickPropagatedHeaders(request.headers, language),
      language,
      inboundHeaders: request.headers,
      slots: new Map(),
      responseHeaders: {},
    };
    (request as WithContext)[CONTEXT] = ctx;
    const span = serverSpanOf(request);
    RequestContext.run(ctx, span === undefined ? done : () => span.run(done));
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
    // Nothing to build when the line would be dropped (e.g. LOG_LEVEL=warn and not a 5xx).
    if (!logger.isLevelEnabled(reply.statusCode >= 500 ? 'error' : 'info')) return done();
    writeAccessLog(logger, {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
      headers: request.headers,
      trace: serverSpanOf(request)?.logFields,
    });
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const ctx = (request as WithContext)[CONTEXT];
    if (ctx) for (const name in ctx.responseHeaders) void reply.header(name, ctx.responseHeaders[name]);
    done(null, payload);
  });
}
