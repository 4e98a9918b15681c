import { SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { TraceSpan, TracingRuntime } from './tracing.js';

const SERVER_SPAN = Symbol('bff:server-span');
type WithServerSpan = { [SERVER_SPAN]?: TraceSpan };

/** The request's server span (undefined when tracing is off or the route is not traced). */
export function serverSpanOf(request: FastifyRequest): TraceSpan | undefined {
  return (request as WithServerSpan)[SERVER_SPAN];
}

/**
 * One SERVER span per inbound request, named by method and route pattern (never the raw URL, which
 * carries ids), continuing the caller's `traceparent`. Health probes are not traced: they would be
 * most of the traces and say nothing. The span is activated around the handler by core's preHandler
 * hook (with the request context) and ends when the response is sent or the client goes away.
 */
export function traceServerSpans(fastify: FastifyInstance, tracing: TracingRuntime): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route?.startsWith('/health/')) return done();
    const attributes = { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_SCHEME]: request.protocol };
    if (route !== undefined) Object.assign(attributes, { [ATTR_HTTP_ROUTE]: route });
    const name = route === undefined ? request.method : `${request.method} ${route}`;
    (request as WithServerSpan)[SERVER_SPAN] = tracing.startServer(name, request.headers, attributes);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = serverSpanOf(request);
    if (span) {
      span.span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      // Server spans: only 5xx are errors (a 4xx is the caller's).
      if (reply.statusCode >= 500) {
        span.span.setAttribute(ATTR_ERROR_TYPE, String(reply.statusCode));
        span.span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const span = serverSpanOf(request);
    if (span) {
      span.span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
      span.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
      span.end();
    }
    done();
  });
}
